//! Billing as the pages show it: the customer's overview and invoice pages, receipts, the staff
//! list and invoice page, and a case's invoices with its reactivation conditions. Customers see
//! their own organisation's issued invoices only; staff see everything.

use super::billing::{get_invoice, new_form_key, reactivation_facts};
use crate::domain::actor::Actor;
use crate::domain::billing::invoice::{CreditKind, InvoiceStatus, PaymentMethod};
use crate::domain::billing::money::Money;
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::server::db::billing::{self as store, CreditRow, InvoiceRecord, PaymentRow};
use crate::server::db::enforcement;
use crate::server::state::AppState;
use crate::views::billing::{
    BillingOverviewView, CaseBillingView, CreditView, HowToPayView, InvoiceDetailView,
    InvoiceRowView, LineView, PaymentView, ReactivationView, ReceiptView, StaffBillingView,
    StaffInvoiceView, OVERDUE_FILTER,
};
use time::OffsetDateTime;

/// Invoices per page.
pub const PAGE_SIZE: i64 = 25;

/// An invoice as lists show it.
pub fn row(i: &InvoiceRecord, now: OffsetDateTime, zone: &Zone) -> InvoiceRowView {
    InvoiceRowView {
        id: i.id,
        title: i.title(),
        number: i.number.clone(),
        standing: i.totals.standing(i.status, i.due_on, now),
        organisation: i.organisation.clone(),
        notice_id: i.notice_id,
        service_id: i.service_id.0,
        service_label: i.service_label.clone(),
        total: i.totals.total,
        paid: i.totals.paid,
        credited: i.totals.credited,
        balance: i.totals.balance(),
        issued_text: i.issued_at.map(|t| zone.show(t)),
        due_text: i.due_on.map(|d| d.to_string()),
        blocks_reactivation: i.blocks_reactivation,
    }
}

fn page(
    rows: Vec<InvoiceRecord>,
    now: OffsetDateTime,
    zone: &Zone,
) -> (Vec<InvoiceRowView>, Option<i64>) {
    let mut rows = rows;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    (rows.iter().map(|r| row(r, now, zone)).collect(), next)
}

/// The customer's billing page: totals owed and paid, and their invoices newest first.
pub async fn overview(
    st: &AppState,
    who: &Actor,
    before: Option<i64>,
) -> Result<BillingOverviewView, AppError> {
    let org = who.customer_scope()?.id();
    let now = st.now();
    let currency = st.config.billing.fees.currency;
    let sums = store::org_sums(&st.db, org, now.date()).await?;
    let filter = store::ListFilter {
        org: Some(org),
        issued_only: true,
        ..Default::default()
    };
    let rows = store::list(&st.db, &filter, before, PAGE_SIZE + 1).await?;
    let (rows, next) = page(rows, now, &who.zone);
    Ok(BillingOverviewView {
        owed: Money {
            minor: sums.owed_minor,
            currency,
        },
        paid: Money {
            minor: sums.paid_minor,
            currency,
        },
        overdue_count: sums.overdue,
        rows,
        next,
    })
}

/// The staff billing list, optionally one stored status or [`OVERDUE_FILTER`], newest first.
pub async fn staff_list(
    st: &AppState,
    who: &Actor,
    status: Option<String>,
    before: Option<i64>,
) -> Result<StaffBillingView, AppError> {
    who.require_staff()?;
    let now = st.now();
    let mut filter = store::ListFilter::default();
    match status.as_deref().filter(|s| !s.is_empty()) {
        None => {}
        Some(OVERDUE_FILTER) => filter.overdue_on = Some(now.date()),
        Some(s) => {
            filter.status = Some(
                s.parse::<InvoiceStatus>()
                    .map_err(|_| AppError::invalid("status", "Choose a status from the list."))?,
            )
        }
    }
    let rows = store::list(&st.db, &filter, before, PAGE_SIZE + 1).await?;
    let (rows, next) = page(rows, now, &who.zone);
    Ok(StaffBillingView {
        rows,
        next,
        form_key: new_form_key(),
    })
}

fn payment_view(
    p: &PaymentRow,
    currency: crate::domain::billing::money::Currency,
    viewer: &Actor,
) -> PaymentView {
    let staff = viewer.role.is_provider();
    let method = p.method.parse::<PaymentMethod>().ok();
    PaymentView {
        id: p.id,
        receipt_number: p.receipt_number.clone(),
        method: method.map(|m| m.label()).unwrap_or("Payment").to_owned(),
        amount: Money {
            minor: p.amount_minor,
            currency,
        },
        received_text: p.received_on.to_string(),
        recorded_text: match (&p.recorded_by_email, staff) {
            (None, _) => format!("Confirmed by Stripe, {}", viewer.zone.show(p.recorded_at)),
            (Some(email), true) => {
                format!("Recorded by {email}, {}", viewer.zone.show(p.recorded_at))
            }
            (Some(_), false) => format!(
                "Recorded by the abuse desk, {}",
                viewer.zone.show(p.recorded_at)
            ),
        },
        reference: p.reference.clone(),
        note: if staff { p.note.clone() } else { None },
    }
}

fn credit_view(
    c: &CreditRow,
    currency: crate::domain::billing::money::Currency,
    viewer: &Actor,
) -> CreditView {
    let staff = viewer.role.is_provider();
    CreditView {
        number: c.number.clone(),
        kind: c
            .kind
            .parse::<CreditKind>()
            .map(|k| k.label())
            .unwrap_or("Credit note")
            .to_owned(),
        amount: Money {
            minor: c.amount_minor,
            currency,
        },
        reason: c.reason.clone(),
        at_text: viewer.zone.show(c.created_at),
        by: if staff {
            c.created_by_email.clone()
        } else {
            "Abuse desk".to_owned()
        },
    }
}

/// The reactivation conditions of a case while a suspension from the case holds its service,
/// with the other cases whose suspensions hold it too; `None` when none from the case does.
/// `actions` are the service's measures, which the caller has read.
pub async fn reactivation(
    st: &AppState,
    notice_id: i64,
    actions: &[enforcement::ActionRecord],
    now: OffsetDateTime,
) -> Result<Option<ReactivationView>, AppError> {
    let mut other_cases = enforcement::suspending_cases(actions, now);
    let Some(mine) = other_cases.iter().position(|c| *c == notice_id) else {
        return Ok(None);
    };
    other_cases.remove(mine);
    let facts = reactivation_facts(&st.db, notice_id).await?;
    Ok(Some(ReactivationView {
        conditions: facts.conditions(),
        other_cases,
    }))
}

async fn detail_of(
    st: &AppState,
    who: &Actor,
    invoice: &InvoiceRecord,
) -> Result<InvoiceDetailView, AppError> {
    let staff = who.role.is_provider();
    let now = st.now();
    let currency = invoice.totals.total.currency;
    let notice = super::case_access::get_notice(st, who, invoice.notice_id).await?;
    let lines = store::lines(&st.db, invoice.id, currency).await?;
    let credits = store::credits(&st.db, invoice.id).await?;
    let payments = store::payments(&st.db, invoice.id).await?;
    let row = row(invoice, now, &who.zone);
    let how_to_pay = match (&invoice.payment_reference, row.standing.owes()) {
        (Some(reference), true) => Some(HowToPayView {
            reference: reference.clone(),
            bank_details: st.config.billing.bank_details.clone(),
            card: st.stripe.is_some(),
        }),
        _ => None,
    };
    Ok(InvoiceDetailView {
        category: notice.category.label().to_owned(),
        event_count: notice.event_count,
        lines: lines
            .iter()
            .map(|l| LineView {
                id: l.id,
                kind: l.line.kind,
                description: l.line.description(),
                policy_section: l.line.kind.policy_section().to_owned(),
                why: l.line.kind.why().to_owned(),
                source: l.line.source.clone(),
                note: l.line.note.clone(),
                amount: l.line.amount,
                waived_by: credits
                    .iter()
                    .find(|c| c.line_id == Some(l.id))
                    .map(|c| c.number.clone()),
            })
            .collect(),
        payments: payments
            .iter()
            .map(|p| payment_view(p, currency, who))
            .collect(),
        credits: credits
            .iter()
            .map(|c| credit_view(c, currency, who))
            .collect(),
        how_to_pay,
        reactivation: reactivation(
            st,
            invoice.notice_id,
            &enforcement::for_service(&st.db, invoice.service_id).await?,
            now,
        )
        .await?,
        form_key: new_form_key(),
        void_reason: if staff {
            invoice.void_reason.clone()
        } else {
            None
        },
        row,
    })
}

/// The customer's invoice page (staff may read it too).
pub async fn invoice_detail(
    st: &AppState,
    who: &Actor,
    id: i64,
) -> Result<InvoiceDetailView, AppError> {
    let invoice = get_invoice(st, who, id).await?;
    detail_of(st, who, &invoice).await
}

/// The staff invoice page.
pub async fn staff_invoice(
    st: &AppState,
    who: &Actor,
    id: i64,
) -> Result<StaffInvoiceView, AppError> {
    who.require_staff()?;
    let invoice = get_invoice(st, who, id).await?;
    let detail = detail_of(st, who, &invoice).await?;
    Ok(StaffInvoiceView {
        detail,
        reactivation_fee: st.config.billing.fees.reactivation_fee,
        labour_rate: st.config.billing.fees.labour_rate,
        hold: store::open_hold(&st.db, invoice.notice_id).await?,
    })
}

/// One receipt.
pub async fn receipt(
    st: &AppState,
    who: &Actor,
    invoice_id: i64,
    payment_id: i64,
) -> Result<ReceiptView, AppError> {
    let invoice = get_invoice(st, who, invoice_id).await?;
    let payments = store::payments(&st.db, invoice.id).await?;
    let payment = payments
        .iter()
        .find(|p| p.id == payment_id)
        .ok_or(AppError::NotFound)?;
    Ok(ReceiptView {
        payment: payment_view(payment, invoice.totals.total.currency, who),
        invoice: row(&invoice, st.now(), &who.zone),
    })
}

/// A case's invoices (customers: issued ones) and its reactivation conditions, for a notice
/// already read within the caller's scope, with its service's measures (`actions`).
pub async fn case_billing(
    st: &AppState,
    who: &Actor,
    notice: &crate::server::db::notices::NoticeRecord,
    actions: &[enforcement::ActionRecord],
) -> Result<CaseBillingView, AppError> {
    let now = st.now();
    let invoices = store::for_notice(&st.db, notice.id).await?;
    Ok(CaseBillingView {
        invoices: invoices
            .iter()
            .filter(|i| {
                who.role.is_provider()
                    || !matches!(i.status, InvoiceStatus::Draft | InvoiceStatus::Void)
            })
            .map(|i| row(i, now, &who.zone))
            .collect(),
        reactivation: reactivation(st, notice.id, actions, now).await?,
    })
}
