//! What arrives over HTTP besides the pages and their server functions: the listener, the layers
//! every request passes (security headers, the cross-origin refusal, statuses), health checks,
//! the outcome of a plain form post, evidence uploads and downloads, a notification's link, the
//! REST API and Stripe's webhook. Each handler checks its caller and hands the work to a use case.

pub mod api_v1;
pub mod evidence;
pub mod form_posts;
pub mod http;
pub mod listen;
pub mod notifications;
pub mod stripe_webhook;
