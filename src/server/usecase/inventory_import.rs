//! Importing the inventory from the provider's billing or provisioning system: a CSV file of
//! organisations, services and the addresses each holds. The portal is made to match the rows
//! (new organisations and services, changed kinds and abuse contacts, addresses assigned and
//! released); importing the same file again changes nothing. A preview runs exactly the same
//! steps in a transaction that is then rolled back; applying commits them, with one audit entry
//! per changed row. A row that cannot be applied is refused with its reason, and the others go
//! ahead.

use crate::domain::actor::Actor;
use crate::domain::ids::{OrgId, ServiceId};
use crate::domain::inventory::{import_rows, Contacts, ImportRow, IpBlock};
use crate::error::AppError;
use crate::server::db::inventory::{self as store, ServiceRow};
use crate::server::db::{TurnKey, Tx};
use crate::server::state::AppState;
use crate::views::organisations::{ImportRowView, ImportView};
use time::OffsetDateTime;

/// The largest file accepted.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// The most rows accepted in one file.
pub const MAX_ROWS: usize = 5_000;

/// A file's records after its header: `(line, fields)`.
type Records = Vec<(usize, Vec<String>)>;

/// Reads the CSV text into the header and its records.
fn read_csv(text: &str) -> Result<(Vec<String>, Records), AppError> {
    let invalid = |m: String| AppError::invalid("csv", m);
    if text.len() > MAX_BYTES {
        return Err(invalid(format!(
            "The file is larger than {} MiB: split it.",
            MAX_BYTES / 1024 / 1024
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| invalid(format!("The first line cannot be read: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or_default();
            invalid(format!("Line {line} cannot be read as CSV: {e}"))
        })?;
        let line = record
            .position()
            .map(|p| p.line() as usize)
            .unwrap_or_default();
        if record.iter().all(str::is_empty) {
            continue;
        }
        records.push((line, record.iter().map(str::to_owned).collect()));
        if records.len() > MAX_ROWS {
            return Err(invalid(format!(
                "More than {MAX_ROWS} rows: split the file."
            )));
        }
    }
    if records.is_empty() {
        return Err(invalid("The file has no rows under its header.".into()));
    }
    Ok((header, records))
}

/// Previews (`apply` false) or applies an import; admins only.
pub async fn import(
    st: &AppState,
    who: &Actor,
    text: &str,
    apply: bool,
) -> Result<ImportView, AppError> {
    let admin = who.require_admin()?;
    let (header, records) = read_csv(text)?;
    let rows = import_rows(&header, &records).map_err(|m| AppError::invalid("csv", m))?;
    let label = super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    tx.take_turn(TurnKey::Inventory).await?;
    let mut view = ImportView {
        applied: apply,
        rows: Vec::new(),
        changing: 0,
        unchanged: 0,
        refused: 0,
    };
    for row in rows {
        let result = match row {
            Err(e) => ImportRowView {
                line: e.line,
                subject: String::new(),
                changes: Vec::new(),
                error: Some(e.message),
            },
            Ok(row) => {
                let subject = format!("{} · {}", row.organisation, row.service);
                match apply_row(&mut tx, who, admin, &row, now).await? {
                    Ok(changes) => {
                        if !changes.is_empty() {
                            super::audit::record_provider(
                                st,
                                &mut tx,
                                &label,
                                "inventory_imported",
                                &format!(
                                    "Import, line {}: {subject}: {}.",
                                    row.line,
                                    changes.join("; ")
                                ),
                            )
                            .await?;
                        }
                        ImportRowView {
                            line: row.line,
                            subject,
                            changes,
                            error: None,
                        }
                    }
                    Err(message) => ImportRowView {
                        line: row.line,
                        subject,
                        changes: Vec::new(),
                        error: Some(message),
                    },
                }
            }
        };
        match (&result.error, result.changes.is_empty()) {
            (Some(_), _) => view.refused += 1,
            (None, true) => view.unchanged += 1,
            (None, false) => view.changing += 1,
        }
        view.rows.push(result);
    }
    if apply {
        tx.commit().await?;
        tracing::info!(
            changing = view.changing,
            refused = view.refused,
            "inventory imported"
        );
    }
    // A preview's transaction is dropped here: rolled back, nothing changed.
    Ok(view)
}

/// Makes the portal match one row, inside the import's transaction. The outer `Result` is a
/// failure of the database (the whole import stops); the inner one, this row's refusal, decided
/// before anything of the row is written.
async fn apply_row(
    tx: &mut Tx,
    who: &Actor,
    admin: crate::domain::actor::AdminToken,
    row: &ImportRow,
    now: OffsetDateTime,
) -> Result<Result<Vec<String>, String>, AppError> {
    let mut changes = Vec::new();
    let reason = format!("Imported from the provider's system (line {}).", row.line);
    let org = match store::org_by_name_in_tx(tx, &row.organisation).await? {
        Some(org) if org.retired_at.is_some() => {
            return Ok(Err(format!("{} is retired.", row.organisation)))
        }
        Some(org) => {
            if let Some(email) = row
                .abuse_email
                .as_deref()
                .filter(|e| org.abuse_email.as_deref() != Some(*e))
            {
                store::set_abuse_email(tx, admin, OrgId(org.id), email).await?;
                changes.push(format!("abuse contact set to {email}"));
            }
            OrgId(org.id)
        }
        None => {
            let Some(email) = row.abuse_email.clone() else {
                return Ok(Err(format!(
                    "{} is a new organisation: give its abuse_email.",
                    row.organisation
                )));
            };
            let contacts = Contacts {
                abuse_email: Some(email),
                ..Contacts::default()
            };
            let id = store::insert_org(tx, admin, &row.organisation, &contacts, now).await?;
            changes.push(format!("organisation {} created", row.organisation));
            id
        }
    };
    let service: ServiceRow = match store::service_by_label_in_tx(tx, org, &row.service).await? {
        Some(s) if s.retired_at.is_some() => {
            return Ok(Err(format!("{} is retired.", row.service)))
        }
        Some(s) => {
            if s.kind != row.kind.as_str() {
                store::update_service(tx, admin, ServiceId(s.id), org, &row.service, row.kind)
                    .await?;
                changes.push(format!("kind changed to {}", row.kind.label()));
            }
            s
        }
        None => {
            let id = store::insert_service(tx, admin, org, &row.service, row.kind, now).await?;
            changes.push(format!(
                "service {} ({}) created",
                row.service,
                row.kind.label()
            ));
            store::service_in_tx(tx, id).await?.ok_or_else(|| {
                crate::server::errors::internal("a service just created is missing")
            })?
        }
    };
    let held = store::open_of_service_in_tx(tx, ServiceId(service.id)).await?;
    let wanted: Vec<String> = row.blocks.iter().map(IpBlock::to_string).collect();
    // Refuse before writing anything of the row: a block another service holds.
    for block in row
        .blocks
        .iter()
        .filter(|b| !held.iter().any(|h| h.block == b.to_string()))
    {
        let (start, end) = block.range_keys();
        for other in store::open_overlapping(tx, &start, &end).await? {
            if other.service_id != service.id {
                return Ok(Err(format!(
                    "{block} is held by {} ({}): release it there first.",
                    other.service_label, other.organisation_name
                )));
            }
        }
    }
    for old in held.iter().filter(|h| !wanted.contains(&h.block)) {
        let block = IpBlock::parse(&old.block).map_err(crate::server::errors::internal)?;
        let ended = super::organisations::release_in_tx(tx, who, &block, now, &reason)
            .await?
            .map(|(_, ended)| ended)
            .unwrap_or_default();
        changes.push(format!("{} released{ended}", old.block));
    }
    for block in row
        .blocks
        .iter()
        .filter(|b| !held.iter().any(|h| h.block == b.to_string()))
    {
        super::organisations::assign_in_tx(tx, who, block, &service, &reason, now).await?;
        changes.push(format!("{block} assigned"));
    }
    Ok(Ok(changes))
}

/// Makes one service match what the provider's system says (the REST API's `PUT
/// /api/v1/services`): the same steps as one line of an import, in its own transaction, the
/// fields in [`crate::domain::inventory::IMPORT_COLUMNS`] order. A refusal is an error: 422 for
/// a field, 409 for a conflict with what the portal holds.
pub async fn make_service_match(
    st: &AppState,
    who: &Actor,
    caller: &str,
    fields: [String; 5],
) -> Result<Vec<String>, AppError> {
    let admin = who.require_admin()?;
    let header: Vec<String> = crate::domain::inventory::IMPORT_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .collect();
    let row = import_rows(&header, &[(1, fields.to_vec())])
        .map_err(|m| AppError::invalid("body", m))?
        .pop()
        .ok_or_else(|| AppError::invalid("body", "Nothing to do."))?
        .map_err(|e| AppError::invalid("body", e.message))?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    tx.take_turn(TurnKey::Inventory).await?;
    let changes = apply_row(&mut tx, who, admin, &row, now)
        .await?
        .map_err(AppError::Conflict)?;
    if !changes.is_empty() {
        super::audit::record_provider(
            st,
            &mut tx,
            caller,
            "inventory_imported",
            &format!(
                "{} · {}: {}.",
                row.organisation,
                row.service,
                changes.join("; ")
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(changes)
}
