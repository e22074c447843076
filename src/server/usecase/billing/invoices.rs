//! Invoices from a case: drafted with the lines the fee rules propose, edited while a draft,
//! issued with a gapless number, a payment reference and a due date, or voided.

use super::reactivation::reactivate_if_clear;
use super::{case_suspended, invoice_error, lock_invoice, reason_text};
use crate::domain::actor::Actor;
use crate::domain::billing::fees::{self, CaseFacts, LineInput};
use crate::domain::billing::invoice::{self, payment_reference};
use crate::domain::billing::money::Money;
use crate::error::AppError;
use crate::server::db::billing::{self as store};
use crate::server::state::AppState;

/// Staff draft an invoice for a case, with the lines the rules propose; returns its id.
pub async fn draft_from_case(st: &AppState, who: &Actor, notice_id: i64) -> Result<i64, AppError> {
    let staff = who.require_staff()?;
    let notice = super::super::case_access::get_notice(st, who, notice_id).await?;
    let now = st.now();
    let suspended = case_suspended(&st.db, notice.service_id, notice_id, now).await?;
    let schedule = &st.config.billing.fees;
    let lines = fees::propose(
        &CaseFacts {
            category: notice.category,
            verified_events: notice.event_count,
            suspended,
        },
        schedule,
    );
    let label = super::super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    let id = store::insert_draft(
        &mut tx,
        staff,
        &store::NewDraft {
            org: notice.org_id,
            notice_id,
            service: notice.service_id,
            currency: schedule.currency,
            blocks_reactivation: suspended,
            by: who.user_id,
        },
        now,
    )
    .await?;
    for line in &lines {
        store::insert_line(&mut tx, id, line).await?;
    }
    let detail = format!(
        "Draft invoice #{id} started with {}: {}.",
        if lines.len() == 1 {
            "1 proposed line".to_owned()
        } else {
            format!("{} proposed lines", lines.len())
        },
        lines
            .iter()
            .map(|l| format!("{} {}", l.kind.label(), l.amount))
            .collect::<Vec<_>>()
            .join(", ")
    );
    super::super::audit::record_case(
        st,
        &mut tx,
        notice_id,
        now,
        &label,
        "invoice_draft",
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// What a draft edit does.
#[derive(Debug, Clone)]
pub enum DraftEdit {
    /// Adds a line as typed.
    AddLine(LineInput),
    /// Removes a line.
    RemoveLine(i64),
    /// Sets whether the invoice must be settled before the service is restored.
    BlocksReactivation(bool),
}

/// Staff edit a draft (lines, and whether it blocks reactivation).
pub async fn edit_draft(
    st: &AppState,
    who: &Actor,
    id: i64,
    edit: DraftEdit,
) -> Result<(), AppError> {
    who.require_staff()?;
    let label = super::super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let invoice = lock_invoice(&mut tx, id).await?;
    invoice::ensure_draft(invoice.status, &invoice.title()).map_err(invoice_error)?;
    let detail = match edit {
        DraftEdit::AddLine(input) => {
            let events =
                crate::server::db::notices::event_count_in_tx(&mut tx, invoice.notice_id).await?;
            let line = input
                .check(events, invoice.totals.total.currency)
                .map_err(AppError::InvalidFields)?;
            store::insert_line(&mut tx, id, &line).await?;
            format!(
                "Draft invoice #{id}: line added, {} {}.",
                line.description(),
                line.amount
            )
        }
        DraftEdit::RemoveLine(line_id) => {
            if !store::delete_line(&mut tx, id, line_id).await? {
                return Err(AppError::NotFound);
            }
            format!("Draft invoice #{id}: a line was removed.")
        }
        DraftEdit::BlocksReactivation(blocks) => {
            store::set_blocks_reactivation(&mut tx, id, blocks, now).await?;
            if blocks {
                format!("Draft invoice #{id} must be settled before the service is restored.")
            } else {
                format!("Draft invoice #{id} does not hold back the service's reactivation.")
            }
        }
    };
    super::super::audit::record_case(
        st,
        &mut tx,
        invoice.notice_id,
        now,
        &label,
        "invoice_draft",
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Staff issue a draft: it gets the next number of the year (gapless even when two staff issue
/// at once: the counter row is taken in this transaction), its payment reference and due date,
/// and never changes again. Returns the number.
pub async fn issue(st: &AppState, who: &Actor, id: i64) -> Result<String, AppError> {
    let staff = who.require_staff()?;
    let label = super::super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let invoice = lock_invoice(&mut tx, id).await?;
    invoice::ensure_draft(invoice.status, &invoice.title()).map_err(invoice_error)?;
    let (total, count) = store::lines_total_in_tx(&mut tx, id).await?;
    if count == 0 || total <= 0 {
        return Err(invoice_error(invoice::InvoiceError::Empty));
    }
    let total = Money {
        minor: total,
        currency: invoice.totals.total.currency,
    };
    if total.minor > crate::domain::billing::money::MAX_MINOR {
        return Err(AppError::Conflict(
            "The invoice's total is too large for one invoice; split it.".into(),
        ));
    }
    let year = now.year();
    let seq = store::next_number(&mut tx, "invoice", year).await?;
    let number = invoice::invoice_number(year, seq);
    let reference = payment_reference(year, seq);
    let due_on = invoice::due_date(now, st.config.billing.fees.payment_terms_days);
    let issued = store::issue(
        &mut tx,
        staff,
        id,
        &store::Issue {
            year,
            seq,
            number: &number,
            payment_reference: &reference,
            total,
            issued_at: now,
            due_on,
            by: who.user_id,
        },
    )
    .await?;
    if !issued {
        return Err(AppError::Conflict(
            "This invoice is no longer a draft.".into(),
        ));
    }
    let detail = format!(
        "Invoice {number} issued: {total}, due {due_on}, payment reference {reference}{}.",
        if invoice.blocks_reactivation {
            "; it must be paid before the service is restored (policy §5)"
        } else {
            ""
        }
    );
    super::super::audit::record_case(
        st,
        &mut tx,
        invoice.notice_id,
        now,
        &label,
        "invoice_issued",
        &detail,
    )
    .await?;
    super::super::notifications::tell(
        &mut tx,
        st,
        invoice.org_id,
        crate::domain::notification::NotificationKind::InvoiceIssued,
        |_| format!("Invoice {number}: {total}, due {due_on}."),
        &format!("/billing/{id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(invoice = id, %number, "invoice issued");
    Ok(number)
}

/// Staff void a draft with a reason (an issued invoice is corrected by a credit note instead).
pub async fn void_draft(st: &AppState, who: &Actor, id: i64, reason: &str) -> Result<(), AppError> {
    let staff = who.require_staff()?;
    let reason = reason_text("reason", reason)?;
    let label = super::super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let invoice = lock_invoice(&mut tx, id).await?;
    invoice::ensure_draft(invoice.status, &invoice.title()).map_err(invoice_error)?;
    store::void(&mut tx, staff, id, &reason, now).await?;
    super::super::audit::record_case(
        st,
        &mut tx,
        invoice.notice_id,
        now,
        &label,
        "invoice_voided",
        &format!("Draft invoice #{id} voided: {reason}"),
    )
    .await?;
    // A voided draft no longer holds the service back.
    reactivate_if_clear(&mut tx, st, invoice.notice_id, now).await?;
    tx.commit().await?;
    Ok(())
}
