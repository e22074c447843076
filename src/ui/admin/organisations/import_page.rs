//! `/admin/organisations/import`: bring the inventory in line with the provider's billing or
//! provisioning system from a CSV export: preview what would change, row by row, then apply.

use super::api::{get_import_result, ImportInventory};
use crate::domain::inventory::IMPORT_COLUMNS;
use crate::ui::components::{action_field, form_action, posted, FieldError, FormError};
use crate::views::organisations::ImportView;
use leptos::prelude::*;
use leptos_meta::Title;

/// The import page.
#[component]
pub fn ImportPage() -> impl IntoView {
    let import = form_action::<ImportInventory>();
    let result = Resource::new(
        move || import.version().get(),
        |_| Box::pin(get_import_result()),
    );
    view! {
        <Title text="Import the inventory · Abuse desk"/>
        <p class="breadcrumb"><a href="/admin/organisations">"← Organisations and addresses"</a></p>
        <div class="page-heading">
            <p class="eyebrow">"Administration"</p>
            <h1>"Import the inventory"</h1>
            <p class="lead">"Paste a CSV export of your billing or provisioning system: one line per service, with every address or prefix it holds. Preview first; applying makes the portal match the file, and the same file again changes nothing."</p>
        </div>
        <section class="panel" aria-labelledby="import-form-heading">
            <h2 id="import-form-heading">"The file"</h2>
            <p class="hint">{format!("Columns (first line): {}. Addresses are separated by spaces; a new organisation needs its abuse_email. Kinds: vps, cloud_server, dedicated_server, …", IMPORT_COLUMNS.join(", "))}</p>
            <ActionForm action=import attr:class="form">
                <FormError action=import/>
                <div class="field">
                    <label for="import-csv">"CSV"</label>
                    <textarea id="import-csv" name="csv" rows="10" spellcheck="false" aria-describedby="import-csv-error"
                        placeholder="organisation,abuse_email,service,kind,addresses\nInitech,abuse@initech.test,app-01.initech.test,vps,198.18.7.5 2001:db8:7e57::/64">{posted::<ImportInventory>("csv")}</textarea>
                    <FieldError id="import-csv-error" message=action_field(import, "csv")/>
                </div>
                <div class="form-actions">
                    <button type="submit" name="intent" value="preview" class="button button-primary">"Preview the changes"</button>
                    <button type="submit" name="intent" value="apply" class="button button-danger">"Apply"</button>
                </div>
            </ActionForm>
        </section>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match result.await {
                    Ok(Some(view)) => view! { <Outcome view/> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(error) => crate::ui::components::failure(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Outcome(view: ImportView) -> impl IntoView {
    let shown = view.rows.len();
    let total = view.changing + view.unchanged + view.refused;
    view! {
        <section aria-labelledby="import-outcome-heading">
            <h2 id="import-outcome-heading">{if view.applied { "Applied" } else { "Preview: nothing is changed yet" }}</h2>
            <p role="status">{format!("{} row(s) {}, {} unchanged, {} refused.", view.changing, if view.applied { "changed" } else { "would change" }, view.unchanged, view.refused)}</p>
            <div class="table-wrap">
                <table class="data-table stack-on-small-screens">
                    <caption class="visually-hidden">"Rows of the import"</caption>
                    <thead><tr><th scope="col">"Line"</th><th scope="col">"Service"</th><th scope="col">"What changes"</th></tr></thead>
                    <tbody>
                        {view.rows.into_iter().map(|r| view! {
                            <tr>
                                <th scope="row">{r.line}</th>
                                <td data-label="Service">{r.subject}</td>
                                <td data-label="What changes">
                                    {match (r.error, r.changes.is_empty()) {
                                        (Some(e), _) => view! { <span class="badge badge-suspended">"Refused"</span>" "{e} }.into_any(),
                                        (None, true) => view! { <span class="muted">"No change"</span> }.into_any(),
                                        (None, false) => view! { {r.changes.join("; ")} }.into_any(),
                                    }}
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {(shown < total).then(|| view! { <p class="table-note">{format!("The first {shown} of {total} rows are listed.")}</p> })}
        </section>
    }
}
