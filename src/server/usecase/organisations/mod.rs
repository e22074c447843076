//! The inventory, managed in the portal: organisations with their contacts, services, and the
//! addresses and prefixes they hold, with the history of every assignment. Staff read and
//! search it; admins change it, each change with a written reason in the provider-wide audit
//! log. Two services never hold one address at one time: the database refuses it (migration
//! 0006), and the use cases say which service holds it first.

mod changes;
mod reads;

pub use changes::*;
pub use reads::*;
