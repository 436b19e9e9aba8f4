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
                view! {
                    <p class="error" role="alert" data-testid=format!("import-error-{which}")>
                        {text}
                    </p>
                }
            });
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
                            <td class="value">{n.column.clone()}</td>
                            <td>{cell}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="mapping-file" data-testid=testid>
                    <h3>{title}</h3>
                    {error}
                    <table>
                        <tbody>{rows}</tbody>
                    </table>
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
