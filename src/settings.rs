//! The run settings behind the controls: validation with a message per field,
//! presets, and the URL query that reproduces a dataset.

use numberly_core::dates::{date_string, parse, DAY};
use numberly_core::generate::GenerateOptions;

/// Largest sizes a browser tab is allowed to generate.
pub const MAX_CUSTOMERS: u64 = 2_000_000;
/// Largest number of interactions a browser tab is allowed to generate.
pub const MAX_INTERACTIONS: u64 = 12_000_000;
/// Longest period, in days after the first ("at most ten years").
const MAX_PERIOD_DAYS: i32 = 3_660;

/// The values of the controls, as typed (text), so that a wrong value can be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Customers.
    pub customers: String,
    /// Interactions.
    pub interactions: String,
    /// Seed.
    pub seed: String,
    /// Dirty rate, 0 to 0.5.
    pub dirty: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    pub to: String,
    /// Whether the first day was typed after the last: a problem of the period as a
    /// whole (it ends before it starts, or is too long) is shown under the field
    /// just edited.
    pub from_last: bool,
}

impl Default for Settings {
    fn default() -> Self {
        let d = GenerateOptions::default();
        Self {
            customers: d.customers.to_string(),
            interactions: d.interactions.to_string(),
            seed: d.seed.to_string(),
            dirty: "0".into(),
            from: date_string(d.from),
            to: date_string(d.to),
            from_last: false,
        }
    }
}

/// A preset of sizes.
pub struct Preset {
    /// Customers.
    pub customers: u64,
    /// Interactions.
    pub interactions: u64,
}

/// The presets: the original demo's sizes, and two large ones.
pub const PRESETS: [Preset; 3] = [
    Preset {
        customers: 1_000,
        interactions: 5_000,
    },
    Preset {
        customers: 100_000,
        interactions: 1_000_000,
    },
    Preset {
        customers: 1_000_000,
        interactions: 10_000_000,
    },
];

impl Preset {
    /// Label on the button, in `lang`: `1 000 / 5 000` (`1,000 / 5,000`), `100k / 1M`.
    pub fn label(&self, lang: crate::i18n::Lang) -> String {
        let size = |n: u64| match n {
            n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
            n if n >= 100_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
            n => lang.int(n),
        };
        format!("{} / {}", size(self.customers), size(self.interactions))
    }
}

/// A field of the settings, for messages placed beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Customers.
    Customers,
    /// Interactions.
    Interactions,
    /// Seed.
    Seed,
    /// Dirty rate.
    Dirty,
    /// Start date.
    From,
    /// End date.
    To,
}

fn day(text: &str) -> Option<i32> {
    parse(text.trim().as_bytes())
        .filter(|p| !p.has_time)
        .map(|p| p.ts.div_euclid(DAY) as i32)
}

/// A whole number as people type it: `1000`, or with thousands separated by a space
/// (plain, no-break or narrow), `_`, `,` or `.` in groups of three (`1 000`, `1,000`,
/// `1.000`). Anything else, such as the French decimal `1,5`, is not a whole number.
fn number(text: &str) -> Option<u64> {
    match whole(text) {
        Whole::Value(n) => Some(n),
        Whole::Not | Whole::TooLarge => None,
    }
}

/// [`number`], with a number too large for it read as `u64::MAX` (for a message
/// that gives the field's own limit).
fn at_most_max(text: &str) -> Option<u64> {
    match whole(text) {
        Whole::Value(n) => Some(n),
        Whole::TooLarge => Some(u64::MAX),
        Whole::Not => None,
    }
}

/// What [`number`] makes of a text: a whole number, too large a one, or none.
#[derive(Debug, PartialEq)]
enum Whole {
    Not,
    Value(u64),
    TooLarge,
}

fn whole(text: &str) -> Whole {
    let mut groups = text.trim().split([' ', '\u{a0}', '\u{202f}', '_', ',', '.']);
    let Some(first) = groups.next() else { return Whole::Not };
    let rest: Vec<&str> = groups.collect();
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let grouped = rest.is_empty() || (first.len() <= 3 && rest.iter().all(|g| g.len() == 3));
    if !(digits(first) && rest.iter().all(|g| digits(g)) && grouped) {
        return Whole::Not;
    }
    match [first].into_iter().chain(rest).collect::<String>().parse() {
        Ok(n) => Whole::Value(n),
        Err(_) => Whole::TooLarge,
    }
}

impl Settings {
    /// Sets the first day as typed (a problem of the period then shows under it).
    pub fn set_from(&mut self, text: String) {
        self.from = text;
        self.from_last = true;
    }

    /// Sets the last day as typed (a problem of the period then shows under it).
    pub fn set_to(&mut self, text: String) {
        self.to = text;
        self.from_last = false;
    }

    /// The problems, one message per field (in French or English).
    pub fn problems(&self, fr: bool) -> Vec<(Field, String)> {
        let t = |en: &str, fr_text: &str| if fr { fr_text.to_string() } else { en.to_string() };
        let mut out = Vec::new();
        match at_most_max(&self.customers) {
            None => out.push((
                Field::Customers,
                t("A whole number, 1 or more.", "Un nombre entier, 1 ou plus."),
            )),
            Some(0) => out.push((Field::Customers, t("At least 1 customer.", "Au moins 1 client."))),
            Some(n) if n > MAX_CUSTOMERS => out.push((
                Field::Customers,
                t(
                    "At most 2,000,000 in a browser tab.",
                    "Au plus 2\u{202f}000\u{202f}000 dans un onglet.",
                ),
            )),
            _ => {}
        }
        match at_most_max(&self.interactions) {
            None => out.push((
                Field::Interactions,
                t("A whole number, 0 or more.", "Un nombre entier, 0 ou plus."),
            )),
            Some(n) if n > MAX_INTERACTIONS => out.push((
                Field::Interactions,
                t(
                    "At most 12,000,000 in a browser tab.",
                    "Au plus 12\u{202f}000\u{202f}000 dans un onglet.",
                ),
            )),
            _ => {}
        }
        match whole(&self.seed) {
            Whole::Not => out.push((
                Field::Seed,
                t("A whole number, 0 or more.", "Un nombre entier, 0 ou plus."),
            )),
            Whole::TooLarge => out.push((
                Field::Seed,
                t(
                    "At most 18,446,744,073,709,551,615.",
                    "Au plus 18\u{202f}446\u{202f}744\u{202f}073\u{202f}709\u{202f}551\u{202f}615.",
                ),
            )),
            Whole::Value(_) => {}
        }
        match self.dirty.trim().replace(',', ".").parse::<f64>() {
            Ok(r) if (0.0..=0.5).contains(&r) => {}
            _ => out.push((
                Field::Dirty,
                t(
                    "A fraction between 0 and 0.5 (0.05: 5% of rows).",
                    "Une fraction entre 0 et 0,5 (0,05\u{a0}: 5\u{a0}% des lignes).",
                ),
            )),
        }
        let (from, to) = (day(&self.from), day(&self.to));
        // The period's own problems go under the field the user edited last.
        let period = if self.from_last { Field::From } else { Field::To };
        if from.is_none() {
            out.push((Field::From, t("A date like 2025-01-01.", "Une date comme 2025-01-01.")));
        }
        match (from, to) {
            (_, None) => out.push((Field::To, t("A date like 2025-03-31.", "Une date comme 2025-03-31."))),
            (Some(f), Some(e)) if e < f => out.push((
                period,
                t(
                    "The period ends before it starts.",
                    "La période finit avant de commencer.",
                ),
            )),
            (Some(f), Some(e)) if e - f > MAX_PERIOD_DAYS => {
                out.push((period, t("At most ten years.", "Dix ans au plus.")))
            }
            _ => {}
        }
        out
    }

    /// The generation options, when the settings are valid.
    pub fn options(&self) -> Option<GenerateOptions> {
        if !self.problems(false).is_empty() {
            return None;
        }
        Some(GenerateOptions {
            customers: number(&self.customers)? as u32,
            interactions: number(&self.interactions)?,
            seed: number(&self.seed)?,
            dirty: self.dirty.trim().replace(',', ".").parse().ok()?,
            from: day(&self.from)?,
            to: day(&self.to)?,
            ..GenerateOptions::default()
        })
    }

    /// The period From–To as days, when both dates are valid and in order (imports
    /// restricted to it use nothing else of the settings).
    pub fn period(&self) -> Option<(i32, i32)> {
        let (from, to) = (day(&self.from)?, day(&self.to)?);
        (from <= to && to - from <= MAX_PERIOD_DAYS).then_some((from, to))
    }

    /// Settings from a URL query (`?seed=7&customers=…`); unknown keys are ignored.
    pub fn from_query(query: &str) -> (Self, bool) {
        let mut s = Self::default();
        let mut autorun = false;
        for pair in query.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = v.to_string();
            match k {
                "customers" => s.customers = v,
                "interactions" => s.interactions = v,
                "seed" => s.seed = v,
                "dirty" => s.dirty = v,
                "from" => s.from = v,
                "to" => s.to = v,
                "autorun" => autorun = v == "1",
                _ => {}
            }
        }
        (s, autorun)
    }

    /// The URL query of these settings. Dates go in ISO form and a decimal comma as a
    /// point, so that the link reads back as the same settings (`01/02/2025` would
    /// otherwise lose its slashes).
    pub fn to_query(&self, lang: &str) -> String {
        let enc = |v: &str| {
            v.chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
                .collect::<String>()
        };
        let date = |v: &str| day(v).map_or_else(|| enc(v), date_string);
        format!(
            "?seed={}&customers={}&interactions={}&dirty={}&from={}&to={}&lang={}",
            enc(&self.seed),
            enc(&self.customers),
            enc(&self.interactions),
            enc(&self.dirty.replace(',', ".")),
            date(&self.from),
            date(&self.to),
            enc(lang),
        )
    }
}

/// URL query `query` with its `lang=` set to `code` (added when missing), the rest
/// as it was: a language switch keeps the link's settings.
pub fn with_lang(query: &str, code: &str) -> String {
    let mut pairs: Vec<String> = query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .map(str::to_string)
        .collect();
    pairs.push(format!("lang={code}"));
    format!("?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preset_labels_write_numbers_as_the_page_does() {
        use crate::i18n::Lang;
        let labels = |l| PRESETS.iter().map(|p| p.label(l)).collect::<Vec<_>>();
        assert_eq!(labels(Lang::En), ["1,000 / 5,000", "100k / 1M", "1M / 10M"]);
        assert_eq!(labels(Lang::Fr)[0], "1\u{202f}000 / 5\u{202f}000");
    }

    #[test]
    fn defaults_are_valid_and_match_the_engine() {
        let s = Settings::default();
        assert!(s.problems(false).is_empty());
        assert_eq!(s.options(), Some(GenerateOptions::default()));
    }

    #[test]
    fn a_period_problem_goes_under_the_day_edited_last() {
        let mut s = Settings {
            from: "1800-01-01".into(),
            ..Settings::default()
        };
        let fields = |s: &Settings| s.problems(false).into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        assert_eq!(fields(&s), [Field::To], "by default under the last day");
        s.set_from("1800-01-01".into());
        assert_eq!(fields(&s), [Field::From]);
        s.set_to("2025-03-31".into());
        assert_eq!(fields(&s), [Field::To]);
        s.set_from("2025-06-01".into());
        assert_eq!(
            s.problems(false),
            [(Field::From, "The period ends before it starts.".to_string())]
        );
    }

    #[test]
    fn a_number_too_large_is_said_to_be_so() {
        let s = Settings {
            customers: "99999999999999999999999".into(),
            seed: "18446744073709551616".into(),
            ..Settings::default()
        };
        let problems = s.problems(false);
        assert_eq!(
            problems[0],
            (Field::Customers, "At most 2,000,000 in a browser tab.".to_string())
        );
        assert_eq!(
            problems[1],
            (Field::Seed, "At most 18,446,744,073,709,551,615.".to_string())
        );
        let largest = Settings {
            seed: "18446744073709551615".into(),
            ..Settings::default()
        };
        assert_eq!(largest.options().map(|o| o.seed), Some(u64::MAX));
    }

    #[test]
    fn bad_values_get_a_message_beside_their_field() {
        let s = Settings {
            customers: "0".into(),
            interactions: "50000000".into(),
            dirty: "0.9".into(),
            from: "2025-03-01".into(),
            to: "2025-02-01".into(),
            ..Settings::default()
        };
        let fields: Vec<Field> = s.problems(true).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            vec![Field::Customers, Field::Interactions, Field::Dirty, Field::To]
        );
        assert_eq!(s.options(), None);
        assert!(s.problems(false)[3].1.contains("ends before"));
        assert!(s.problems(false)[0].1.contains("At least 1"));
        for customers in ["1.5", "abc", "-3"] {
            let s = Settings {
                customers: customers.into(),
                ..Settings::default()
            };
            assert_eq!(
                s.problems(false),
                [(Field::Customers, "A whole number, 1 or more.".to_string())],
                "{customers}"
            );
        }
    }

    #[test]
    fn whole_numbers_take_thousands_separators_but_not_a_decimal_part() {
        for (text, n) in [
            ("1000", 1000),
            ("1 000", 1000),
            ("1\u{202f}000", 1000),
            ("1\u{a0}000 000", 1_000_000),
            ("1,000", 1000),
            ("1.000", 1000),
            ("10_000", 10_000),
            (" 42 ", 42),
        ] {
            assert_eq!(number(text), Some(n), "{text:?}");
        }
        for text in ["1,5", "1.50", "12,34", "1 00", "1234,567", ",000", "1,,000", "", "1e3"] {
            assert_eq!(number(text), None, "{text:?}");
        }
    }

    #[test]
    fn the_period_of_an_import() {
        let mut s = Settings::default();
        assert_eq!(
            s.period(),
            Some((day("2025-01-01").unwrap(), day("2025-03-31").unwrap()))
        );
        s.customers = "abc".into();
        assert!(s.period().is_some(), "the sizes do not matter");
        s.to = "2024-12-31".into();
        assert_eq!(s.period(), None);
        s.to = "31/12".into();
        assert_eq!(s.period(), None);
    }

    #[test]
    fn a_language_switch_keeps_the_rest_of_the_query() {
        assert_eq!(
            with_lang("?seed=7&lang=fr&autorun=1", "en"),
            "?seed=7&autorun=1&lang=en"
        );
        assert_eq!(with_lang("", "fr"), "?lang=fr");
        assert_eq!(with_lang("?seed=7", "fr"), "?seed=7&lang=fr");
    }

    #[test]
    fn the_query_round_trips() {
        let s = Settings {
            seed: "7".into(),
            customers: "200".into(),
            dirty: "0.05".into(),
            ..Settings::default()
        };
        let q = s.to_query("en");
        let (back, autorun) = Settings::from_query(&format!("{q}&autorun=1"));
        assert_eq!(back, s);
        assert!(autorun);
        // Settings typed the French way come back as the same options.
        let typed = Settings {
            from: "01/02/2025".into(),
            to: "28.02.2025".into(),
            dirty: "0,05".into(),
            ..Settings::default()
        };
        let (back, _) = Settings::from_query(&typed.to_query("fr"));
        assert_eq!(
            (back.from.as_str(), back.to.as_str(), back.dirty.as_str()),
            ("2025-02-01", "2025-02-28", "0.05")
        );
        assert_eq!(back.options(), typed.options());
        assert!(back.options().is_some());
    }
}
