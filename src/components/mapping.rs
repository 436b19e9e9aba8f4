use crate::i18n::Lang;
use crate::worker::protocol::FileColumns;
use leptos::prelude::*;
use numberly_core::ingest::{CLIENT_COLUMNS, INTERACTION_COLUMNS};
use numberly_core::privacy::{FoundBy, IdentifierKind};

/// The columns of the chosen files: what each one feeds (the user can change it or
/// ignore the column), which are direct identifiers (dropped), and why a file
/// cannot be used.
#[component]
pub fn Mapping(
    /// The engine's description of each chosen file.
    columns: Signal<[Option<FileColumns>; 2]>,
    /// Language.
    lang: Signal<Lang>,
    /// Required columns the clients file does not have, as the user said.
    absent: Signal<Vec<String>>,
    /// The user says the clients file has no such column (`true`), or takes it back.
    on_absent: Callback<(String, bool)>,
    /// The user maps (file, header cell, engine column or `""`).
    on_map: Callback<(usize, String, String)>,
) -> impl IntoView {
    let fr = move || lang.get() == Lang::Fr;
    let file_view = move |which: usize| {
        move || {
            let Some(cols) = columns.with(|c| c[which].clone()) else {
                return ().into_any();
            };
            let testid = if which == 0 {
                "mapping-clients"
            } else {
                "mapping-interactions"
            };
            let targets: Vec<&'static str> = if which == 0 {
                CLIENT_COLUMNS.iter().map(|c| c.name).collect()
            } else {
                INTERACTION_COLUMNS.iter().map(|c| c.name).collect()
            };
            let title = match (which, fr()) {
                (0, true) => "Colonnes du fichier clients",
                (0, false) => "Clients file columns",
                (_, true) => "Colonnes du fichier interactions",
                (_, false) => "Interactions file columns",
            };
            let error = cols.error.as_ref().map(|failure| {
                let text = failure.text(lang.get());
                // Of the clients file, age, segment and channel may be said absent.
                let buttons = match failure {
                    crate::failure::Failure::Input { problem, .. } => crate::failure::absentable(problem),
                    _ => Vec::new(),
                }
                .into_iter()
                .map(|column| {
                    let label = if fr() {
                        format!("Pas de colonne {column} dans mon fichier")
                    } else {
                        format!("My file has no {column} column")
                    };
                    let testid = format!("absent-{column}");
                    view! {
                        <button
                            data-testid=testid
                            on:click=move |_| on_absent.run((column.clone(), true))
                        >
                            {label}
                        </button>
                    }
                })
                .collect_view();
                view! {
                    <p class="error" role="alert" data-testid=format!("import-error-{which}")>
                        {text}
                    </p>
                    <div class="absent-choices">{buttons}</div>
                }
            });
            let mapped = |column: &str| cols.notes.iter().any(|n| n.used_as.as_deref() == Some(column));
            let unknown = crate::charts::group_label(numberly_core::ingest::UNKNOWN_LABEL, lang.get());
            // What the user said the clients file lacks, each with a way back.
            let said_absent = if which == 0 { absent.get() } else { Vec::new() }
                .into_iter()
                .filter(|column| !mapped(column))
                .map(|column| {
                    let what = match (column.as_str(), fr()) {
                        ("age", true) => "aucun client n'a d'âge".to_string(),
                        ("age", false) => "no customer has an age".to_string(),
                        (_, true) => format!("« {unknown} » pour chaque client"),
                        (_, false) => format!("\"{unknown}\" for every customer"),
                    };
                    let text = if fr() {
                        format!("{column} : absente de ce fichier, {what}.")
                    } else {
                        format!("{column}: not in this file, {what}.")
                    };
                    let c = column.clone();
                    view! {
                        <p class="absent-note" data-testid=format!("absent-note-{column}")>
                            {text}
                            " "
                            <button
                                class="link"
                                data-testid=format!("absent-undo-{column}")
                                on:click=move |_| on_absent.run((c.clone(), false))
                            >
                                {if fr() { "Annuler" } else { "Undo" }}
                            </button>
                        </p>
                    }
                })
                .collect_view();
            // A segment or channel column with empty cells: they may read as unknown
            // rather than reject their rows (an empty age is always kept, unknown).
            let empty_cells = ["segment", "canal_acquisition"]
                .into_iter()
                .filter(|column| which == 0 && mapped(column))
                .map(|column| {
                    let checked = absent.with(|a| a.iter().any(|c| c == column));
                    let text = if fr() {
                        format!("Cellules vides de {column}\u{a0}: lues «\u{a0}{unknown}\u{a0}» (sinon la ligne est rejetée)")
                    } else {
                        format!("Empty {column} cells: read as \"{unknown}\" (otherwise the row is rejected)")
                    };
                    view! {
                        <label class="check empty-cells">
                            <input
                                type="checkbox"
                                data-testid=format!("empty-unknown-{column}")
                                prop:checked=checked
                                on:change=move |ev| on_absent.run((column.to_string(), event_target_checked(&ev)))
                            />
                            <span>{text}</span>
                        </label>
                    }
                })
                .collect_view();
            let rows = cols
                .notes
                .iter()
                .map(|n| {
                    let header = n.column.clone();
                    let used = n.used_as.clone().unwrap_or_default();
                    let identifier = n.identifier.filter(|_| used != "client_id");
                    let cell = match identifier {
                        Some(kind) => view! {
                            <span class="badge danger">
                                {kind_text(kind, fr())} " · "
                                {match (n.found_by, fr()) {
                                    (Some(FoundBy::Name), true) => "repéré par son nom, écarté",
                                    (Some(FoundBy::Name), false) => "found by its name, dropped",
                                    (_, true) => "repéré par son contenu, écarté",
                                    (_, false) => "found by its content, dropped",
                                }}
                            </span>
                        }
                        .into_any(),
                        None => {
                            let h = header.clone();
                            let options = targets
                                .iter()
                                .map(|t| {
                                    let selected = *t == used;
                                    view! {
                                        <option value=*t selected=selected>
                                            {*t}
                                        </option>
                                    }
                                })
                                .collect_view();
                            view! {
                                <select
                                    data-testid=format!("map-{which}-{header}")
                                    aria-label=header.clone()
                                    on:change=move |ev| on_map.run((which, h.clone(), event_target_value(&ev)))
                                >
                                    <option value="" selected=used.is_empty()>
                                        {if fr() { "— ignorée —" } else { "— ignored —" }}
                                    </option>
                                    {options}
                                </select>
                            }
                            .into_any()
                        }
                    };
                    view! {
                        <tr>
                            <td class="value">{breakable(&n.column)}</td>
                            <td>{cell}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="mapping-file" data-testid=testid>
                    <h3>{title}</h3>
                    {error}
                    {said_absent}
                    <table>
                        <tbody>{rows}</tbody>
                    </table>
                    {empty_cells}
                </div>
            }
            .into_any()
        }
    };
    view! {
        <Show when=move || columns.with(|c| c.iter().any(Option::is_some))>
            <section class="panel mapping">
                <div class="mapping-files">{file_view(0)} {file_view(1)}</div>
            </section>
        </Show>
    }
}

/// A header as text that may break after each `_` (`consentement_` / `marketing`),
/// where a narrow screen has to break it, rather than anywhere in a word.
fn breakable(header: &str) -> impl IntoView {
    header
        .split_inclusive('_')
        .map(|part| view! { {part.to_string()}<wbr /> })
        .collect_view()
}

/// The name of an identifier kind.
pub fn kind_text(kind: IdentifierKind, fr: bool) -> &'static str {
    match (kind, fr) {
        (IdentifierKind::Name, true) => "nom",
        (IdentifierKind::Name, false) => "name",
        (IdentifierKind::Email, _) => "email",
        (IdentifierKind::Phone, true) => "téléphone",
        (IdentifierKind::Phone, false) => "phone",
        (IdentifierKind::Address, true) => "adresse",
        (IdentifierKind::Address, false) => "address",
    }
}
