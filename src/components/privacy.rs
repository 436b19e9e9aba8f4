use super::mapping::kind_text;
use crate::i18n::Lang;
use crate::worker::protocol::Summary;
use leptos::prelude::*;
use numberly_core::privacy::{KeySource, PrivacyOptions};

/// The privacy options applied before download, and what they did.
#[component]
pub fn PrivacyPanel(
    /// The options being edited.
    options: RwSignal<PrivacyOptions>,
    /// Set while an option on screen is invalid (the k field), so that no run uses
    /// the last valid one unseen.
    invalid: RwSignal<bool>,
    /// The run's summary (its privacy report).
    summary: Signal<Option<Summary>>,
    /// Whether the next run imports the user's files (pseudonyms on by default).
    importing: Signal<bool>,
    /// Whether the engine is busy.
    running: Signal<bool>,
    /// Whether the options on screen differ from those of the files on offer.
    pending: Signal<bool>,
    /// Language.
    lang: Signal<Lang>,
    /// Export again with the options.
    on_apply: Callback<()>,
) -> impl IntoView {
    let fr = move || lang.get() == Lang::Fr;
    let tr = move |f: &'static str, e: &'static str| if fr() { f } else { e };
    // The k field as typed: the options take it only when it is a whole number of 1 or
    // more; otherwise the field says so and nothing is applied.
    let k_text = RwSignal::new(options.with_untracked(|o| o.k.to_string()));
    let k_bad = move || invalid.get();
    // The default follows the data: imported files are pseudonymised, synthetic data is not.
    let pseudonymise = move || options.with(|o| o.pseudonymise).unwrap_or_else(|| importing.get());
    let check = move |testid: &'static str,
                      get: fn(&PrivacyOptions) -> bool,
                      set: fn(&mut PrivacyOptions, bool),
                      f: &'static str,
                      e: &'static str| {
        view! {
            <label class="check">
                <input
                    type="checkbox"
                    data-testid=testid
                    prop:checked=move || options.with(get)
                    on:change=move |ev| options.update(|o| set(o, event_target_checked(&ev)))
                />
                <span>{move || tr(f, e)}</span>
            </label>
        }
    };
    // "Consenting only" with no consent column would leave no customer: refused before
    // it is applied, and said why.
    let consent_unknown = move || summary.with(|s| s.as_ref().is_some_and(|s| !s.consent_known));
    let consent_refused = move || consent_unknown() && options.with(|o| o.consent_only);
    let report = move || {
        let Some(s) = summary.get() else {
            return view! { <p class="muted">{tr("Lancez un traitement pour voir le rapport.", "Run the pipeline to see the report.")}</p> }
                .into_any();
        };
        let l = lang.get();
        let p = s.privacy.clone();
        let dropped = if p.identifiers_dropped.is_empty() {
            tr("aucune colonne d'identifiants trouvée", "no identifier column found").to_string()
        } else {
            p.identifiers_dropped
                .iter()
                .map(|n| match (n.identifier.map(|k| kind_text(k, fr())), fr()) {
                    // (The kind said as such: "prenom (clients.csv, nom)" read as two columns.)
                    (Some(kind), true) => format!("{} ({}\u{a0}; type\u{a0}: {kind})", n.column, n.file),
                    (Some(kind), false) => format!("{} ({}; kind: {kind})", n.column, n.file),
                    (None, _) => format!("{} ({})", n.column, n.file),
                })
                .collect::<Vec<_>>()
                .join(" · ")
        };
        let ignored = p
            .columns_ignored
            .iter()
            .map(|n| format!("{} ({})", n.column, n.file))
            .collect::<Vec<_>>();
        let pseudo = match (p.pseudonymised, p.key, fr()) {
            (false, _, true) => "client_id conservé tel quel (données synthétiques).".to_string(),
            (false, _, false) => "client_id kept as it is (synthetic data).".to_string(),
            (true, Some(KeySource::Passphrase), true) => {
                "client_id remplacé par un pseudonyme HMAC-SHA-256, clé tirée de votre phrase secrète (reproductible).".into()
            }
            (true, Some(KeySource::Passphrase), false) => {
                "client_id replaced by an HMAC-SHA-256 pseudonym, key derived from your passphrase (reproducible).".into()
            }
            (true, _, true) => {
                "client_id remplacé par un pseudonyme HMAC-SHA-256, clé aléatoire créée dans cet onglet, jamais stockée ni envoyée.".into()
            }
            (true, _, false) => {
                "client_id replaced by an HMAC-SHA-256 pseudonym, random key made in this tab, never stored or sent.".into()
            }
        };
        let forced = p.pseudonymisation_forced.then(|| {
            view! {
                <p class="error">
                    {tr(
                        "client_id contient des identifiants directs : la pseudonymisation est imposée.",
                        "client_id holds direct identifiers: pseudonymisation is enforced.",
                    )}
                </p>
            }
        });
        let suppressed_total: u64 = s.suppressed_rows.values().sum();
        let suppressed = s
            .suppressed_rows
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(f, n)| format!("{f}{} {}", if fr() { "\u{a0}:" } else { ":" }, l.int(*n)))
            .collect::<Vec<_>>()
            .join(" · ");
        let (groups, smallest, below, groups_below) = (
            l.int(p.groups),
            l.int(p.smallest_group),
            l.int(p.customers_below_k),
            l.int(p.groups_below_k),
        );
        let on = p.quasi_identifiers.join(", ");
        let n = |count: u64, one: &'static str, many: &'static str| if count > 1 { many } else { one };
        let k_text = if fr() {
            format!(
                "k = {} sur ({on}) : les clients forment {groups} {} de mêmes valeurs ; le plus petit compte \
{smallest} {} ; {below} {} dans {groups_below} {} de moins de k clients. Les fichiers par client (clients.csv, interactions.csv, \
donnees_marketing.csv) ne sont pas masqués : la généralisation et le consentement s'y appliquent.",
                p.k,
                n(p.groups, "groupe", "groupes"),
                n(p.smallest_group, "client", "clients"),
                n(p.customers_below_k, "client", "clients"),
                n(p.groups_below_k, "groupe", "groupes"),
            )
        } else {
            format!(
                "k = {} on ({on}): customers fall into {groups} {} of equal values; the smallest has \
{smallest} {}; {below} {} in {groups_below} {} of fewer than k customers. Customer-level files (clients.csv, interactions.csv, \
donnees_marketing.csv) are not blanked: generalisation and consent apply to them.",
                p.k,
                n(p.groups, "group", "groups"),
                n(p.smallest_group, "customer", "customers"),
                n(p.customers_below_k, "customer", "customers"),
                n(p.groups_below_k, "group", "groups"),
            )
        };
        let consent = if p.consent_only {
            if fr() {
                format!(
                    "{} {} sans consentement exclu{} des fichiers par client.",
                    l.int(p.customers_left_out),
                    n(p.customers_left_out, "client", "clients"),
                    n(p.customers_left_out, "", "s")
                )
            } else {
                format!(
                    "{} {} without consent left out of customer-level files.",
                    l.int(p.customers_left_out),
                    n(p.customers_left_out, "customer", "customers")
                )
            }
        } else {
            tr(
                "Tous les clients figurent dans les fichiers par client.",
                "Every customer is in customer-level files.",
            )
            .to_string()
        };
        // With the département only, customers whose commune gave no département are
        // written without a place: said, not left to be found in the files.
        let places_lost = p.places_lost.filter(|&lost| lost > 0).map(|lost| {
            let text = if fr() {
                format!(
                    "{} {} sans département (ni donné, ni tiré du code postal)\u{a0}: écrit{} sans lieu.",
                    l.int(lost),
                    n(lost, "client", "clients"),
                    n(lost, "", "s")
                )
            } else {
                format!(
                    "{} {} without a département (none given, none from the postcode): written without a place.",
                    l.int(lost),
                    n(lost, "customer", "customers")
                )
            };
            view! {
                <dt>{tr("Lieux retirés", "Places removed")}</dt>
                <dd class="pending" data-testid="privacy-places-lost" data-count=lost>{text}</dd>
            }
        });
        view! {
            <dl class="privacy-report" data-testid="privacy-report">
                <dt>{tr("Identifiants écartés", "Identifiers dropped")}</dt>
                <dd data-testid="privacy-dropped" data-count=p.identifiers_dropped.len()>{dropped}</dd>
                <dt>{tr("Colonnes ignorées", "Columns ignored")}</dt>
                <dd data-testid="privacy-ignored">{if ignored.is_empty() { "—".to_string() } else { ignored.join(" · ") }}</dd>
                <dt>{tr("Pseudonymes", "Pseudonyms")}</dt>
                <dd data-testid="privacy-pseudonyms" data-state=if p.pseudonymised { "on" } else { "off" }>
                    {pseudo} {forced}
                </dd>
                <dt>{tr("k-anonymat", "k-anonymity")}</dt>
                <dd
                    data-testid="privacy-k-report"
                    data-k=p.k
                    data-smallest=p.smallest_group
                    data-below=p.customers_below_k
                    data-groups-below=p.groups_below_k
                >
                    {k_text}
                </dd>
                {places_lost}
                <dt>{tr("Lignes masquées", "Rows blanked")}</dt>
                <dd data-testid="privacy-suppressed" data-total=suppressed_total>
                    {if suppressed.is_empty() {
                        tr("aucune ligne agrégée sous k", "no aggregated row below k").to_string()
                    } else {
                        let why = l.blanked_why("k");
                        let text = if fr() {
                            format!("chiffres masqués (la ligne porte suppressed = true dans son fichier)\u{a0}: {why}\u{a0}; un k plus petit en masque moins")
                        } else {
                            format!("figures blanked (the row says suppressed = true in its file): {why}; a smaller k blanks fewer")
                        };
                        format!("{text} — {suppressed}")
                    }}
                </dd>
                <dt>{tr("Consentement", "Consent")}</dt>
                <dd data-testid="privacy-consent" data-left-out=p.customers_left_out>{consent}</dd>
            </dl>
        }
        .into_any()
    };
    view! {
        <section class="panel privacy" data-testid="privacy">
            <h2>{move || tr("Confidentialité avant export", "Privacy before export")}</h2>
            <div class="privacy-options">
                <div class="opt-group">
                    <h3>{move || tr("Identifiants", "Identifiers")}</h3>
                    <label class="check">
                        <input
                            type="checkbox"
                            data-testid="privacy-pseudonymise"
                            prop:checked=pseudonymise
                            on:change=move |ev| options.update(|o| o.pseudonymise = Some(event_target_checked(&ev)))
                        />
                        <span>{move || tr("Pseudonymiser client_id (HMAC-SHA-256)", "Pseudonymise client_id (HMAC-SHA-256)")}</span>
                    </label>
                    <label class="field">
                        <span>{move || tr("Phrase secrète (facultative : pseudonymes reproductibles)", "Passphrase (optional: reproducible pseudonyms)")}</span>
                        <input
                            type="password"
                            autocomplete="off"
                            data-testid="privacy-passphrase"
                            prop:value=move || options.with(|o| o.passphrase.clone().unwrap_or_default())
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                options.update(|o| o.passphrase = (!v.is_empty()).then_some(v));
                            }
                        />
                    </label>
                </div>
                <div class="opt-group">
                    <h3>{move || tr("Généralisation", "Generalisation")}</h3>
                    {check("privacy-age-bands", |o| o.age_bands, |o, v| o.age_bands = v, "Âge en tranches (25-34…)", "Age in bands (25-34…)")}
                    {check(
                        "privacy-departement",
                        |o| o.departement_only,
                        |o, v| o.departement_only = v,
                        "Commune → département",
                        "Commune → département",
                    )}
                </div>
                <div class="opt-group">
                    <h3>{move || tr("Diffusion", "Release")}</h3>
                    {check(
                        "privacy-consent-only",
                        |o| o.consent_only,
                        |o, v| o.consent_only = v,
                        "Fichiers par client : consentants seulement",
                        "Customer-level files: consenting only",
                    )}
                    <small class="error" data-testid="error-privacy-consent">
                        {move || {
                            if consent_refused() {
                                tr(
                                    "Votre fichier clients n'a pas de colonne de consentement (ou elle est vide) : choisissez-en une dans « Colonnes du fichier clients » et relancez, ou décochez cette option.",
                                    "Your clients file has no consent column (or an empty one): choose one in \"Clients file columns\" and run again, or untick this option.",
                                )
                            } else {
                                ""
                            }
                        }}
                    </small>
                    <label class="field inline" class:invalid=k_bad>
                        <span>{move || tr("k (taille minimale d'un groupe)", "k (smallest group allowed)")}</span>
                        <input
                            type="number"
                            min="1"
                            data-testid="privacy-k"
                            aria-invalid=move || k_bad().to_string()
                            prop:value=move || k_text.get()
                            on:input=move |ev| {
                                let text = event_target_value(&ev);
                                if let Some(k) = k_value(&text) {
                                    options.update(|o| o.k = k);
                                }
                                invalid.set(k_value(&text).is_none());
                                k_text.set(text);
                            }
                        />
                        <small class="error" data-testid="error-privacy-k">
                            {move || {
                                if k_bad() {
                                    tr(
                                        "Un nombre entier, 1 ou plus (1 : aucun masquage).",
                                        "A whole number, 1 or more (1: nothing blanked).",
                                    )
                                } else {
                                    ""
                                }
                            }}
                        </small>
                    </label>
                </div>
            </div>
            <div class="actions">
                <Show when=move || pending.get() && !running.get()>
                    <span class="pending" data-testid="privacy-pending">
                        {move || {
                            tr(
                                "Options modifiées : les téléchargements suivent encore les précédentes tant que les nouvelles ne sont pas appliquées.",
                                "Options changed: the downloads follow the previous ones until these are applied.",
                            )
                        }}
                    </span>
                </Show>
                <span class="spacer"></span>
                <button
                    class="primary push-right"
                    data-testid="privacy-apply"
                    disabled=move || {
                        summary.with(Option::is_none) || running.get() || k_bad() || consent_refused() || !pending.get()
                    }
                    on:click=move |_| on_apply.run(())
                >
                    {move || tr("Appliquer aux téléchargements", "Apply to downloads")}
                </button>
            </div>
            <h3>{move || tr("Ce qui a été fait", "What was done")}</h3>
            {report}
        </section>
    }
}

/// The k of the field's text: a whole number of 1 or more.
fn k_value(text: &str) -> Option<u32> {
    text.trim().parse::<u32>().ok().filter(|&k| k >= 1)
}
