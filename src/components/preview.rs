use crate::i18n::Lang;
use crate::worker::preview::{PreviewPage, PreviewQuery, COLUMNS, PAGE_ROWS};
use leptos::prelude::*;

/// The cleaned interactions joined with their customers: paged, sortable by column.
#[component]
pub fn Preview(
    /// The page on screen.
    page: Signal<Option<PreviewPage>>,
    /// Asks the worker for another page or order.
    on_query: Callback<PreviewQuery>,
    /// Language.
    lang: Signal<Lang>,
) -> impl IntoView {
    let query = move || {
        page.with(|p| p.as_ref().map(|p| p.query)).unwrap_or(PreviewQuery {
            page: 0,
            sort: None,
            descending: false,
        })
    };
    let pages = move || page.with(|p| p.as_ref().map_or(1, |p| p.total.div_ceil(PAGE_ROWS).max(1)));
    let sort_by = move |column: usize| {
        let q = query();
        let descending = q.sort == Some(column) && !q.descending;
        on_query.run(PreviewQuery {
            page: 0,
            sort: Some(column),
            descending,
        });
    };
    let go = move |delta: isize| {
        let q = query();
        let target = (q.page as isize + delta).clamp(0, pages() as isize - 1) as usize;
        on_query.run(PreviewQuery { page: target, ..q });
    };
    let fr = move || lang.get() == Lang::Fr;
    view! {
        <section class="panel" data-testid="preview">
            <h2>{move || if fr() { "Aperçu des données" } else { "Data preview" }}</h2>
            <p class="muted" data-testid="preview-scope">
                {move || {
                    if fr() {
                        "Toutes les interactions conservées, avec les colonnes de leur client (comme dans \
                         donnees_marketing.csv), sans les filtres ; parmi les options de confidentialité, seule la \
                         pseudonymisation s'applique ici."
                    } else {
                        "Every interaction kept, with its customer's columns (as in donnees_marketing.csv), without \
                         the filters; of the privacy options, only the pseudonyms apply here."
                    }
                }}
            </p>
            // (A box that scrolls: named, as a region.)
            <div class="scroll" role="region" aria-label=move || if fr() { "Aperçu des données" } else { "Data preview" }>
                <table>
                    <thead>
                        <tr>
                            {COLUMNS
                                .iter()
                                .enumerate()
                                .map(|(c, name)| {
                                    let arrow = move || match query() {
                                        q if q.sort == Some(c) && q.descending => " ▼",
                                        q if q.sort == Some(c) => " ▲",
                                        _ => "",
                                    };
                                    // The order said to a screen reader, not only drawn.
                                    let order = move || match query() {
                                        q if q.sort == Some(c) && q.descending => Some("descending"),
                                        q if q.sort == Some(c) => Some("ascending"),
                                        _ => None,
                                    };
                                    view! {
                                        <th aria-sort=order>
                                            <button class="sort" data-testid=format!("sort-{name}") on:click=move |_| sort_by(c)>
                                                {*name}
                                                {arrow}
                                            </button>
                                        </th>
                                    }
                                })
                                .collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            page.with(|p| {
                                p.as_ref()
                                    .map(|p| {
                                        // (No row at all: said, not an empty table.)
                                        let none = (p.total == 0).then(|| {
                                            view! {
                                                <tr>
                                                    <td class="muted" colspan=COLUMNS.len() data-testid="preview-empty">
                                                        {if fr() { "Aucune interaction conservée." } else { "No interaction kept." }}
                                                    </td>
                                                </tr>
                                            }
                                        });
                                        let rows = p
                                            .rows
                                            .iter()
                                            .map(|r| {
                                                view! {
                                                    <tr>
                                                        {r
                                                            .iter()
                                                            .enumerate()
                                                            .map(|(c, cell)| view! { <td>{shown(c, cell, lang.get())}</td> })
                                                            .collect_view()}
                                                    </tr>
                                                }
                                            })
                                            .collect_view();
                                        (none, rows)
                                    })
                            })
                        }}
                    </tbody>
                </table>
            </div>
            <div class="pager">
                <button
                    data-testid="preview-prev"
                    aria-label=move || lang.get().t("previous-page")
                    disabled=move || query().page == 0
                    on:click=move |_| go(-1)
                >
                    "‹"
                </button>
                <span data-testid="preview-page" aria-live="polite">
                    {move || format!("{} / {}", query().page + 1, pages())}
                </span>
                <button
                    data-testid="preview-next"
                    aria-label=move || lang.get().t("next-page")
                    disabled=move || { query().page + 1 >= pages() }
                    on:click=move |_| go(1)
                >
                    "›"
                </button>
            </div>
        </section>
    }
}

/// A preview cell as the language writes it: the amount with its thousands grouped
/// and its decimal mark (`1 234,50`), the time as a date and time (`01/01/2025 08:12:47` /
/// `2025-01-01 08:12:47`), `unknown` as the charts name it; other cells as in the files.
pub fn shown(column: usize, cell: &str, l: Lang) -> String {
    match (COLUMNS.get(column).copied(), l) {
        // Thousands grouped, and the language's decimal mark (`1 234,50`).
        (Some("valeur_achat"), _) => match cell.split_once('.').map(|(w, f)| (w.parse::<u64>(), f)) {
            Some((Ok(whole), frac)) => {
                let mark = if l == Lang::Fr { ',' } else { '.' };
                format!("{}{mark}{frac}", l.int(whole))
            }
            _ => cell.to_string(),
        },
        (Some("date"), _) => match cell.split_once('T') {
            Some((day, time)) => {
                let parts: Vec<&str> = day.split('-').collect();
                let day = match (l, parts.as_slice()) {
                    (Lang::Fr, [y, m, d]) => format!("{d}/{m}/{y}"),
                    _ => day.to_string(),
                };
                format!("{day} {time}")
            }
            None => cell.to_string(),
        },
        (Some("segment" | "canal_acquisition"), _) => crate::charts::group_label(cell, l),
        _ => cell.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_written_as_the_language_writes_them() {
        let at = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap();
        assert_eq!(shown(at("valeur_achat"), "1234.50", Lang::Fr), "1\u{202f}234,50");
        assert_eq!(shown(at("valeur_achat"), "1234.50", Lang::En), "1,234.50");
        assert_eq!(shown(at("valeur_achat"), "49.61", Lang::Fr), "49,61");
        assert_eq!(shown(at("valeur_achat"), "", Lang::Fr), "");
        assert_eq!(
            shown(at("date"), "2025-01-02T08:12:47", Lang::Fr),
            "02/01/2025 08:12:47"
        );
        assert_eq!(
            shown(at("date"), "2025-01-02T08:12:47", Lang::En),
            "2025-01-02 08:12:47"
        );
        assert_eq!(shown(at("segment"), "unknown", Lang::Fr), "inconnu");
        assert_eq!(shown(at("canal_acquisition"), "SEO", Lang::Fr), "SEO");
        // Ids and cities stay as they are, whatever they look like.
        assert_eq!(shown(at("client_id"), "unknown", Lang::Fr), "unknown");
        assert_eq!(shown(at("ville"), "Saint-Denis", Lang::Fr), "Saint-Denis");
    }
}
