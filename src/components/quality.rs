use crate::i18n::Lang;
use crate::worker::protocol::{RejectPage, Summary, REJECTS_PER_PAGE};
use leptos::prelude::*;

/// Read / kept / rejected per file and per rule, and the first rejected rows.
#[component]
pub fn Quality(
    /// The run's summary.
    summary: Signal<Option<Summary>>,
    /// Language.
    lang: Signal<Lang>,
    /// The page of rejected rows the user paged to (the first page when `None`).
    page: Signal<Option<RejectPage>>,
    /// Asks for a page of rejected rows.
    on_page: Callback<u32>,
) -> impl IntoView {
    let t = move |k: &'static str| lang.get().t(k);
    view! {
        <section class="panel" data-testid="quality">
            <h2>{move || t("quality")}</h2>
            {move || {
                let Some(s) = summary.get() else { return ().into_any() };
                let l = lang.get();
                let files = s
                    .files
                    .iter()
                    .map(|f| {
                        // Each rule by its name, its code in a tooltip; rejections, then
                        // corrections (rows kept).
                        let list = |rules: &std::collections::BTreeMap<String, u64>, class: &'static str| {
                            rules
                                .iter()
                                .map(|(code, n)| {
                                    let colon = if l == Lang::Fr { "\u{a0}:" } else { ":" };
                                    view! {
                                        <span class=class title=code.clone() data-rule=code.clone()>
                                            {format!("{}{colon} {}", l.rule(code), l.int(*n))}
                                        </span>
                                    }
                                })
                                .collect_view()
                        };
                        let corrected = (!f.corrected_by_rule.is_empty()).then(|| {
                            view! {
                                <span class="muted">
                                    {if l == Lang::Fr { "corrections (lignes gardées) : " } else { "corrections (rows kept): " }}
                                </span>
                                {list(&f.corrected_by_rule, "rule corrected")}
                            }
                        });
                        let rules = view! { {list(&f.rejected_by_rule, "rule rejected")} {corrected} };
                        view! {
                            <tr>
                                <td>{f.file.clone()}</td>
                                <td class="num">{l.int(f.read)}</td>
                                <td class="num">{l.int(f.kept)}</td>
                                <td class="num">{l.int(f.rejected)}</td>
                                <td class="rules">{rules}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                let total: u64 = s.files.iter().map(|f| f.rejected).sum();
                let (number, shown) = page
                    .get()
                    .map(|p| (p.page, p.rows))
                    .unwrap_or_else(|| (0, s.first_rejects.clone()));
                let pages = total.div_ceil(REJECTS_PER_PAGE as u64).max(1) as u32;
                let rejects = if shown.is_empty() && total == 0 {
                    view! { <p class="muted">{t("no-rejects")}</p> }.into_any()
                } else {
                    let rows = shown
                        .iter()
                        .map(|r| {
                            view! {
                                <tr>
                                    <td>{r.file.clone()}</td>
                                    <td class="num">{r.line}</td>
                                    // The user's name for the column, the engine's in its tooltip.
                                    <td title=(!r.header.is_empty()).then(|| r.column.clone())>
                                        {if r.header.is_empty() { r.column.clone() } else { r.header.clone() }}
                                    </td>
                                    <td title=r.rule.clone()>{l.rule(&r.rule)}</td>
                                    <td class="value" title=(r.raw != r.value).then(|| r.value.clone())>
                                        {r.raw.clone()}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view();
                    view! {
                        <h3>{t("first-rejects")}</h3>
                        {s.privacy.pseudonymised.then(|| {
                            view! {
                                <p class="muted" data-testid="rejects-raw-note">
                                    {if l == Lang::Fr {
                                        "Valeurs telles que dans votre fichier, sur cet écran seulement : rejects.csv écrit les client_id en pseudonymes (survolez un identifiant pour voir son pseudonyme)."
                                    } else {
                                        "Values as in your file, on this screen only: rejects.csv writes client_id as pseudonyms (hover an id to see its pseudonym)."
                                    }}
                                </p>
                            }
                        })}
                        <div class="pager">
                            <button
                                data-testid="rejects-prev"
                                aria-label=t("previous-page")
                                disabled={number == 0}
                                on:click=move |_| on_page.run(number.saturating_sub(1))
                            >
                                "‹"
                            </button>
                            <span data-testid="rejects-page" data-page=number data-total=total>
                                {format!("{} / {}", number + 1, pages)} " · " {l.int(total)} " "
                                {match (l == Lang::Fr, total == 1) {
                                    (true, true) => "ligne rejetée",
                                    (true, false) => "lignes rejetées",
                                    (false, true) => "rejected row",
                                    (false, false) => "rejected rows",
                                }}
                            </span>
                            <button
                                data-testid="rejects-next"
                                aria-label=t("next-page")
                                disabled={number + 1 >= pages}
                                on:click=move |_| on_page.run(number + 1)
                            >
                                "›"
                            </button>
                        </div>
                        <div class="scroll rejects" data-testid="rejects" role="region" aria-label=t("first-rejects")>
                            <table>
                                <thead>
                                    <tr>
                                        <th>{t("file")}</th>
                                        <th class="num">{t("line")}</th>
                                        <th>{t("column")}</th>
                                        <th>{t("rule")}</th>
                                        <th>{t("value")}</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }
                        .into_any()
                };
                view! {
                    <div class="scroll" role="region" aria-label=t("quality")>
                        <table class="file-counts">
                            <thead>
                                <tr>
                                    <th>{t("file")}</th>
                                    <th class="num">{t("read")}</th>
                                    <th class="num">{t("kept")}</th>
                                    <th class="num">{t("rejected")}</th>
                                    <th>{t("rule")}</th>
                                </tr>
                            </thead>
                            <tbody>{files}</tbody>
                        </table>
                    </div>
                    {rejects}
                }
                    .into_any()
            }}
        </section>
    }
}
