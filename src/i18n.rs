//! French and English texts, and numbers formatted for each language.

/// The page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// French.
    Fr,
    /// English.
    En,
}

/// The decimals `x` has, up to two (rounded to the hundredth): 0 for `3`, 1 for
/// `28.3`, 2 for `28.35`.
pub fn decimals_of(x: f64) -> u32 {
    match (x.abs() * 100.0).round() as u64 {
        h if h % 100 == 0 => 0,
        h if h % 10 == 0 => 1,
        _ => 2,
    }
}

impl Lang {
    /// From a code such as `fr-FR` or `en`; French for anything French.
    pub fn from_code(code: &str) -> Lang {
        if code.to_ascii_lowercase().starts_with("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }

    /// The code used in the URL.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The text of `key` in this language.
    pub fn t(self, key: &str) -> &'static str {
        let (en, fr) = match key {
            "page-title" => (
                "Numberly — marketing analytics in your browser",
                "Numberly — analyse marketing dans votre navigateur",
            ),
            "tagline" => (
                "Marketing analytics computed entirely in your browser: no data leaves this page.",
                "Analyse marketing calculée entièrement dans votre navigateur : aucune donnée ne quitte cette page.",
            ),
            "customers" => ("Customers", "Clients"),
            "interactions" => ("Interactions", "Interactions"),
            "seed" => ("Random seed", "Graine aléatoire"),
            "dirty" => ("Defect rate (0 to 0.5)", "Taux de défauts (0 à 0,5)"),
            "from" => ("From", "Du"),
            "to" => ("To", "Au"),
            "run" => ("Run", "Lancer"),
            "cancel" => ("Cancel", "Annuler"),
            "presets" => ("Presets", "Préréglages"),
            "idle" => ("Ready.", "Prêt."),
            "cancelled" => (
                "Cancelled. Nothing is shown until the next run.",
                "Annulé. Rien n'est affiché avant la prochaine analyse.",
            ),
            "running" => ("Running…", "Calcul en cours…"),
            "done" => ("Done.", "Terminé."),
            "generate" => ("Generating", "Génération"),
            "clean" => ("Cleaning", "Nettoyage"),
            "metrics" => ("Metrics", "Indicateurs"),
            "export" => ("Export", "Export"),
            "kpi-customers" => ("Customers", "Clients"),
            "kpi-active" => ("Active customers", "Clients actifs"),
            "kpi-conversion" => ("Customer conversion", "Conversion clients"),
            "kpi-revenue" => ("Revenue", "Chiffre d'affaires"),
            "kpi-basket" => ("Average basket", "Panier moyen"),
            "kpi-sessions" => ("Sessions", "Sessions"),
            "kpi-interaction-conversion" => ("Interaction conversion", "Conversion des interactions"),
            "def-customers" => ("Customers in the selection.", "Clients de la sélection."),
            "def-active" => (
                "Customers with at least one interaction in the period.",
                "Clients ayant au moins une interaction sur la période.",
            ),
            "def-conversion" => ("Buyers / active customers.", "Acheteurs / clients actifs."),
            "def-revenue" => ("Sum of purchase amounts.", "Somme des montants d'achat."),
            "def-basket" => ("Revenue / purchases.", "Chiffre d'affaires / achats."),
            "def-sessions" => ("Distinct visits in the period.", "Visites distinctes sur la période."),
            "def-interaction-conversion" => (
                "Purchases / interactions (the original demo's rate).",
                "Achats / interactions (le taux de la démo d'origine).",
            ),
            "section-channels" => ("Performance by channel", "Performance par canal"),
            "section-segments" => ("Segmentation", "Segmentation"),
            "section-daily" => ("Evolution over time", "Évolution dans le temps"),
            "section-funnel" => ("Funnel", "Entonnoir"),
            "section-rfm" => ("RFM", "RFM"),
            "quality" => ("Data quality", "Qualité des données"),
            "file" => ("File", "Fichier"),
            "read" => ("Read", "Lues"),
            "kept" => ("Kept", "Gardées"),
            "rejected" => ("Rejected", "Rejetées"),
            "rule" => ("Rule", "Règle"),
            "line" => ("Line", "Ligne"),
            "column" => ("Column", "Colonne"),
            "value" => ("Value", "Valeur"),
            "first-rejects" => ("Rejected rows", "Lignes rejetées"),
            "no-rejects" => ("No row was rejected.", "Aucune ligne rejetée."),
            "downloads" => ("Downloads", "Téléchargements"),
            "download-all" => ("Everything (zip)", "Tout (zip)"),
            "rows" => ("rows", "lignes"),
            "privacy" => (
                "Everything is computed in this tab. Nothing is sent anywhere.",
                "Tout est calculé dans cet onglet. Rien n'est envoyé nulle part.",
            ),
            "settings" => ("Settings", "Paramètres"),
            "progress" => ("Progress", "Progression"),
            "save-image" => (
                "Save the chart as an image (PNG)",
                "Enregistrer le graphique en image (PNG)",
            ),
            "shown-from" => ("Period shown: from", "Période affichée : du"),
            "shown-to" => ("Period shown: to", "Période affichée : au"),
            "indicators" => ("Indicators", "Indicateurs"),
            "previous-page" => ("Previous page", "Page précédente"),
            "next-page" => ("Next page", "Page suivante"),
            "chart-data" => ("The chart's figures", "Chiffres du graphique"),
            "table-channel" => ("Channel", "Canal"),
            "table-segment" => ("Segment", "Segment"),
            "table-age-band" => ("Age band", "Tranche d'âge"),
            "table-day" => ("Day", "Jour"),
            "table-step" => ("Step", "Étape"),
            "table-rfm-segment" => ("RFM segment", "Segment RFM"),
            "table-customers" => ("Customers", "Clients"),
            "table-sessions" => ("Sessions", "Sessions"),
            "table-share" => ("Share", "Part"),
            "table-of-visits" => ("Of the visits", "Part des visites"),
            _ => ("", ""),
        };
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// An integer with thousands separators (`1 234 567` / `1,234,567`).
    pub fn int(self, v: u64) -> String {
        let digits = v.to_string();
        let sep = match self {
            Lang::Fr => '\u{202f}',
            Lang::En => ',',
        };
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    /// A chart's number: thousands separated, and the decimals it has up to two, with
    /// the language's decimal mark (`161 564,27` / `161,564.27`, `28,3` / `28.3`).
    pub fn number(self, x: f64) -> String {
        self.fixed(x, decimals_of(x))
    }

    /// A number with `decimals` decimals (0 to 2), thousands separated, with the
    /// language's decimal mark (`479,70` / `479.70`); a dash for none.
    pub fn fixed(self, x: f64, decimals: u32) -> String {
        if !x.is_finite() {
            return "–".into();
        }
        let decimals = decimals.min(2);
        let scale = 10u64.pow(decimals);
        let units = (x.abs() * scale as f64).round() as u64;
        let sign = if x < 0.0 && units > 0 { "-" } else { "" };
        let whole = self.int(units / scale);
        if decimals == 0 {
            return format!("{sign}{whole}");
        }
        let mark = if self == Lang::Fr { ',' } else { '.' };
        format!("{sign}{whole}{mark}{:0w$}", units % scale, w = decimals as usize)
    }

    /// A day as the language writes it: `02/01/2025` in French, ISO `2025-01-02` in
    /// English (whose day-month order differs between countries).
    pub fn date(self, day: i32) -> String {
        match self {
            Lang::Fr => {
                let (y, m, d) = numberly_core::dates::civil_from_days(day);
                format!("{d:02}/{m:02}/{y:04}")
            }
            Lang::En => numberly_core::dates::date_string(day),
        }
    }

    /// Euros from cents (`1 234,56 €` / `€1,234.56`).
    pub fn money(self, cents: i64) -> String {
        let sign = if cents < 0 { "-" } else { "" };
        let c = cents.unsigned_abs();
        let (whole, frac) = (self.int(c / 100), c % 100);
        match self {
            Lang::Fr => format!("{sign}{whole},{frac:02}\u{a0}€"),
            Lang::En => format!("{sign}€{whole}.{frac:02}"),
        }
    }

    /// A file size: bytes under 1 kB, then kB and MB with one decimal
    /// (`12,3 Mo` / `12.3 MB`).
    pub fn size(self, bytes: u64) -> String {
        let (unit, scale) = match bytes {
            0..1_000 => return format!("{bytes}\u{a0}{}", if self == Lang::Fr { "o" } else { "B" }),
            // (Up to where one decimal of kB would round to 1,000.)
            1_000..999_950 => (if self == Lang::Fr { "ko" } else { "kB" }, 1e3),
            _ => (if self == Lang::Fr { "Mo" } else { "MB" }, 1e6),
        };
        let tenths = (bytes as f64 / scale * 10.0).round() as u64;
        let mark = if self == Lang::Fr { ',' } else { '.' };
        format!("{}{mark}{}\u{a0}{unit}", self.int(tenths / 10), tenths % 10)
    }

    /// A cleaning rule's name for people (the code, as in `rejects.csv`, is for tools
    /// and goes in a tooltip); a code this page does not know is shown as it is.
    pub fn rule(self, code: &str) -> String {
        use numberly_core::rules as r;
        let (en, fr) = match code {
            r::EMPTY_ROW => ("empty row", "ligne vide"),
            r::REPEATED_HEADER => ("header repeated", "en-tête répété"),
            r::WRONG_FIELD_COUNT => ("wrong number of cells", "nombre de cellules incorrect"),
            r::MISSING_CLIENT_ID => ("no client_id", "client_id absent"),
            r::DUPLICATE_ROW => ("exact duplicate", "doublon exact"),
            r::DUPLICATE_ID => ("id used twice", "identifiant déjà utilisé"),
            r::INVALID_AGE => ("unreadable age", "âge illisible"),
            r::MISSING_SEGMENT => ("no segment", "segment absent"),
            r::MISSING_CHANNEL => ("no channel", "canal absent"),
            r::INVALID_DATE => ("unreadable date", "date illisible"),
            r::INVALID_CONSENT => ("unreadable consent", "consentement illisible"),
            r::MISSING_INTERACTION_ID => ("no interaction_id", "interaction_id absent"),
            r::REJECTED_CLIENT => ("customer rejected", "client rejeté"),
            r::UNKNOWN_CLIENT => ("unknown customer", "client inconnu"),
            r::UNKNOWN_ACTION => ("unknown action", "action inconnue"),
            r::OUT_OF_PERIOD => ("out of the period", "hors période"),
            r::INVALID_AMOUNT => ("unreadable amount", "montant illisible"),
            r::NON_POSITIVE_AMOUNT => ("amount zero or negative", "montant nul ou négatif"),
            r::MISSING_AMOUNT => ("purchase without amount", "achat sans montant"),
            r::MISSING_SESSION_ID => ("no session_id", "session_id absent"),
            r::MISSING_AGE => ("age empty or absent, kept unknown", "âge vide ou absent, gardé inconnu"),
            r::LEADING_ZERO => ("leading zero restored", "zéro initial rétabli"),
            r::DEPARTEMENT_FROM_POSTCODE => ("département from the postcode", "département déduit du code postal"),
            r::SEGMENT_SPELLING => ("segment respelled", "segment réécrit"),
            r::CHANNEL_SPELLING => ("channel respelled", "canal réécrit"),
            r::ACTION_SPELLING => ("action respelled", "action réécrite"),
            r::AMOUNT_ON_NON_PURCHASE => ("amount dropped from a non-purchase", "montant retiré d'une non-vente"),
            r::AMOUNT_ROUNDED => ("amount rounded to the cent", "montant arrondi au centime"),
            r::REPEATED_ROW => ("repeated row kept", "ligne répétée gardée"),
            other => return other.to_string(),
        };
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
        .to_string()
    }

    /// Why an aggregated row is blanked, for a k written `k` (a number, or `k`).
    pub fn blanked_why(self, k: &str) -> String {
        match self {
            Lang::Fr => format!(
                "un groupe de moins de {k} clients, clients actifs ou acheteurs, ou la ligne qui le retrouverait par \
                 différence"
            ),
            Lang::En => format!(
                "a group of fewer than {k} customers, active customers or buyers, or the row that would give it away \
                 by difference"
            ),
        }
    }

    /// An RFM segment's name (the files keep the English label).
    pub fn rfm_segment(self, label: &str) -> String {
        let fr = match label {
            "Champions" => "Champions",
            "Loyal" => "Fidèles",
            "Potential loyalist" => "Fidèles en devenir",
            "New customers" => "Nouveaux clients",
            "Promising" => "Prometteurs",
            "Need attention" => "À surveiller",
            "About to sleep" => "En veille",
            "Can't lose them" => "À ne pas perdre",
            "At risk" => "À risque",
            "Hibernating" => "Endormis",
            "Lost" => "Perdus",
            "Never bought" => "Jamais acheté",
            other => other,
        };
        match self {
            Lang::Fr => fr.to_string(),
            Lang::En => label.to_string(),
        }
    }

    /// A fraction as a percentage with one decimal (`12,3 %` / `12.3%`).
    pub fn percent(self, num: u64, den: u64) -> String {
        if den == 0 {
            return "–".into();
        }
        let tenths = (num as u128 * 2000 + den as u128) / (2 * den as u128);
        match self {
            Lang::Fr => format!("{},{}\u{a0}%", tenths / 10, tenths % 10),
            Lang::En => format!("{}.{}%", tenths / 10, tenths % 10),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_per_language() {
        let day = numberly_core::dates::days_from_civil(2025, 1, 2);
        assert_eq!(Lang::Fr.date(day), "02/01/2025");
        assert_eq!(Lang::En.date(day), "2025-01-02");
    }

    #[test]
    fn numbers_and_money_per_language() {
        assert_eq!(Lang::Fr.money(123_456), "1\u{202f}234,56\u{a0}€");
        assert_eq!(Lang::En.money(123_456), "€1,234.56");
        assert_eq!(Lang::En.int(1_234_567), "1,234,567");
        assert_eq!(Lang::En.int(999), "999");
        assert_eq!(Lang::Fr.number(161_564.27), "161\u{202f}564,27");
        assert_eq!(Lang::En.number(161_564.27), "161,564.27");
        assert_eq!(Lang::Fr.number(28.3), "28,3");
        assert_eq!(Lang::En.number(1_859.0), "1,859");
        assert_eq!(Lang::Fr.number(0.05), "0,05");
        assert_eq!(Lang::Fr.number(-1_234.5), "-1\u{202f}234,5");
        assert_eq!(Lang::En.number(-0.001), "0");
        assert_eq!(Lang::En.number(f64::NAN), "–");
        assert_eq!(Lang::Fr.fixed(1_234.5, 2), "1\u{202f}234,50");
        assert_eq!(Lang::En.fixed(28.0, 1), "28.0");
        assert_eq!(Lang::En.fixed(-0.001, 2), "0.00");
        assert_eq!(Lang::En.fixed(2.5, 0), "3");
        assert_eq!(Lang::Fr.fixed(f64::INFINITY, 2), "–");
        assert_eq!(Lang::Fr.percent(1, 3), "33,3\u{a0}%");
        assert_eq!(Lang::En.percent(2, 3), "66.7%");
        assert_eq!(Lang::En.size(332), "332\u{a0}B");
        assert_eq!(Lang::En.size(5_172), "5.2\u{a0}kB");
        assert_eq!(Lang::Fr.size(1_057_310_252), "1\u{202f}057,3\u{a0}Mo");
        assert_eq!(Lang::Fr.size(999_999), "1,0\u{a0}Mo");
        assert_eq!(Lang::from_code("fr-CA"), Lang::Fr);
        assert_eq!(Lang::from_code("de"), Lang::En);
    }

    #[test]
    fn every_rule_and_segment_has_a_french_name() {
        // Every rule the engine defines (read from its source, so that a new rule
        // without a name here fails this test).
        let source = include_str!("../crates/core/src/rules.rs");
        let codes: Vec<&str> = source
            .lines()
            .filter_map(|l| l.strip_prefix("pub const ")?.split('"').nth(1))
            .collect();
        assert!(codes.len() >= 28, "{codes:?}");
        for code in codes {
            assert_ne!(Lang::Fr.rule(code), code);
            assert_ne!(Lang::En.rule(code), code);
            assert_ne!(Lang::Fr.rule(code), Lang::En.rule(code), "{code}");
        }
        assert_eq!(Lang::Fr.rule("some_new_rule"), "some_new_rule");
        for segment in numberly_core::metrics::RfmSegment::ALL {
            let fr = Lang::Fr.rfm_segment(segment.label());
            assert!(fr == "Champions" || fr != segment.label(), "{fr}");
            assert_eq!(Lang::En.rfm_segment(segment.label()), segment.label());
        }
    }

    #[test]
    fn every_key_used_by_the_page_has_both_texts() {
        // Every key written out in a `t("…")` of the page's sources or as a chart table's
        // heading, and those the page passes through a variable (the cards', sections',
        // stages' and fields' keys): a key missing here would show as nothing.
        fn sources(dir: &std::path::Path, out: &mut String) {
            for entry in std::fs::read_dir(dir).expect("src/").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push_str(&std::fs::read_to_string(&path).expect("a source"));
                }
            }
        }
        let mut text = String::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut text);
        let mut keys = std::collections::BTreeSet::new();
        for open in ["t(\"", "along(\"", "rows: \"", "value: \"", "share: \"", "\"shown-"] {
            for (at, _) in text.match_indices(open) {
                // (`t(` alone, not the end of `create_element(`.)
                if text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &text[at + open.len()..];
                let key = &rest[..rest.find('"').unwrap_or(0)];
                let key = if open.ends_with("shown-") {
                    format!("shown-{key}")
                } else {
                    key.to_string()
                };
                if !key.is_empty() && !key.ends_with('-') && key.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                    keys.insert(key);
                }
            }
        }
        for key in [
            "run",
            "save-image",
            "chart-data",
            "table-of-visits",
            "shown-from",
            "shown-to",
            "progress",
        ] {
            assert!(keys.contains(key), "{key} not found: the scan misses keys");
        }
        keys.extend(crate::charts::SECTIONS.iter().map(|(section, _)| section.to_string()));
        for key in [
            "kpi-customers",
            "kpi-active",
            "kpi-conversion",
            "kpi-revenue",
            "kpi-basket",
            "kpi-sessions",
            "kpi-interaction-conversion",
            "def-customers",
            "def-active",
            "def-conversion",
            "def-revenue",
            "def-basket",
            "def-sessions",
            "def-interaction-conversion",
            "generate",
            "clean",
            "metrics",
            "export",
            "customers",
            "interactions",
            "seed",
            "dirty",
            "from",
            "to",
        ] {
            keys.insert(key.to_string());
        }
        for key in &keys {
            assert!(!Lang::Fr.t(key).is_empty() && !Lang::En.t(key).is_empty(), "{key}");
        }
    }
}
