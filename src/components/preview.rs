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
            <div class="scroll">
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
                                    view! {
                                        <th>
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
                                        p.rows
                                            .iter()
                                            .map(|r| {
                                                view! {
                                                    <tr>{r.iter().map(|cell| view! { <td>{cell.clone()}</td> }).collect_view()}</tr>
                                                }
                                            })
                                            .collect_view()
                                    })
                            })
                        }}
                    </tbody>
                </table>
            </div>
            <div class="pager">
                <button data-testid="preview-prev" disabled=move || query().page == 0 on:click=move |_| go(-1)>"‹"</button>
                <span data-testid="preview-page">{move || format!("{} / {}", query().page + 1, pages())}</span>
                <button data-testid="preview-next" disabled=move || { query().page + 1 >= pages() } on:click=move |_| go(1)>
                    "›"
                </button>
            </div>
        </section>
    }
}
