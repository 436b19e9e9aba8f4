use crate::i18n::Lang;
use crate::worker::protocol::Summary;
use leptos::prelude::*;
use numberly_core::export::EXCEL_ROWS;

/// The name of the archive of every file (made by the worker).
pub const ZIP_NAME: &str = "numberly.zip";

/// A link per output file, with its size and SHA-256.
#[component]
pub fn Downloads(
    /// The run's summary (for sizes and hashes).
    summary: Signal<Option<Summary>>,
    /// Object URLs of the files, by name.
    urls: Signal<Vec<(String, String)>>,
    /// Whether privacy options changed on screen are not applied to these files yet.
    pending: Signal<bool>,
    /// Language.
    lang: Signal<Lang>,
    /// Asks for a copy of a file for French Excel.
    on_excel: Callback<String>,
) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>{move || lang.get().t("downloads")}</h2>
            <p class="muted" data-testid="downloads-scope">
                {move || {
                    if lang.get() == Lang::Fr {
                        "Les fichiers portent sur toutes les données traitées : les filtres ne changent que l'écran."
                    } else {
                        "The files cover all the data processed: the filters change only the screen."
                    }
                }}
            </p>
            <Show when=move || pending.get()>
                <p class="pending" data-testid="downloads-pending">
                    {move || {
                        if lang.get() == Lang::Fr {
                            "Ces fichiers suivent les options de confidentialité précédentes : les options modifiées \
                             ci-dessus ne s'y appliquent qu'avec « Appliquer aux téléchargements »."
                        } else {
                            "These files follow the previous privacy options: the options changed above apply to \
                             them only with \"Apply to downloads\"."
                        }
                    }}
                </p>
            </Show>
            <p>
                <a
                    class="all"
                    data-testid="download-all"
                    href=move || urls.with(|u| u.iter().find(|(n, _)| n == ZIP_NAME).map(|(_, u)| u.clone()))
                    download=ZIP_NAME
                >
                    {move || lang.get().t("download-all")}
                </a>
            </p>
            <ul class="downloads">
                {move || {
                    let Some(s) = summary.get() else { return Vec::new() };
                    let urls = urls.get();
                    let l = lang.get();
                    s.outputs
                        .iter()
                        .map(|o| {
                            let href = urls.iter().find(|(n, _)| *n == o.name).map(|(_, u)| u.clone());
                            let ready = href.is_some();
                            let stem = o.name.rsplit_once('.').map_or(o.name.as_str(), |(s, _)| s).to_string();
                            let testid = format!("download-{stem}");
                            // Rows blanked for k-anonymity: said here, so that an empty
                            // row is not taken for a broken file.
                            let blanked = s.suppressed_rows.get(&o.name).copied().filter(|n| *n > 0).map(|n| {
                                let k = s.privacy.k;
                                let text = match (l, n) {
                                    (Lang::Fr, 1) => format!(" · 1 ligne masquée pour k = {k}"),
                                    (Lang::Fr, _) => format!(" · {} lignes masquées pour k = {k}", l.int(n)),
                                    (Lang::En, 1) => format!(" · 1 row blanked for k = {k}"),
                                    (Lang::En, _) => format!(" · {} rows blanked for k = {k}", l.int(n)),
                                };
                                view! {
                                    <span class="blanked" data-testid=format!("blanked-{stem}") data-rows=n>
                                        {text}
                                    </span>
                                }
                            });
                            view! {
                                <li>
                                    <a data-testid=testid href=href download=o.name.clone()>
                                        {o.name.clone()}
                                    </a>
                                    <span class="muted">
                                        {if o.name.ends_with(".csv") {
                                            format!(" {} {} · {}", l.int(o.rows), l.t("rows"), l.size(o.bytes))
                                        } else {
                                            format!(" {}", l.size(o.bytes))
                                        }}
                                    </span>
                                    {blanked}
                                    {o.name.ends_with(".csv").then(|| {
                                        let name = o.name.clone();
                                        // Excel opens 1,048,576 rows, the header included.
                                        let fits = o.rows < EXCEL_ROWS;
                                        let title = match (fits, l) {
                                            (true, Lang::Fr) => "Copie pour Excel en français : séparateur ;, virgule décimale, accents lisibles".to_string(),
                                            (true, Lang::En) => "Copy for French Excel: ; separator, decimal comma, byte order mark".to_string(),
                                            (false, Lang::Fr) => format!("Plus de lignes qu'Excel n'en ouvre ({})", l.int(EXCEL_ROWS)),
                                            (false, Lang::En) => format!("More rows than Excel opens ({})", l.int(EXCEL_ROWS)),
                                        };
                                        // Named with its file: every file's button says "Excel (FR)".
                                        let named = match l {
                                            Lang::Fr => format!("Excel (FR) : {name}"),
                                            Lang::En => format!("Excel (FR): {name}"),
                                        };
                                        view! {
                                            <button
                                                class="excel"
                                                data-testid=format!("excel-{stem}")
                                                aria-label=named
                                                title=title
                                                disabled=!fits || !ready
                                                on:click=move |_| on_excel.run(name.clone())
                                            >
                                                "Excel (FR)"
                                            </button>
                                        }
                                    })}
                                    <code class="sha" title="SHA-256">{o.sha256.clone()}</code>
                                </li>
                            }
                        })
                        .collect::<Vec<_>>()
                }}
            </ul>
            // Why rows are blanked, once for every file that has some.
            {move || {
                let s = summary.get()?;
                let k = s.privacy.k;
                s.suppressed_rows.values().any(|n| *n > 0).then(|| {
                    let l = lang.get();
                    let why = l.blanked_why(&k.to_string());
                    let text = match l {
                        Lang::Fr => format!(
                            "Lignes masquées\u{a0}: {why}. Détails et choix de k sous «\u{a0}Confidentialité avant \
                             export\u{a0}»."
                        ),
                        Lang::En => format!("Rows blanked: {why}. Details and the choice of k under \"Privacy before export\"."),
                    };
                    view! {
                        <p class="muted" data-testid="blanked-why">
                            {text}
                        </p>
                    }
                })
            }}
        </section>
    }
}
