//! The cleaned, columnar dataset every metric and export reads.

use crate::ids::{Dict, IdColumn};

/// The three interaction types of the funnel, in funnel order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Action {
    /// A page view (`page_vue`).
    View = 0,
    /// An add-to-cart (`ajout_panier`).
    Cart = 1,
    /// A purchase (`achat`).
    Purchase = 2,
}

impl Action {
    /// All actions, in funnel order.
    pub const ALL: [Action; 3] = [Action::View, Action::Cart, Action::Purchase];

    /// The label used in the files.
    pub fn label(self) -> &'static str {
        match self {
            Action::View => "page_vue",
            Action::Cart => "ajout_panier",
            Action::Purchase => "achat",
        }
    }

    /// Appends the label and a comma (one fixed-size copy: no call).
    #[inline]
    pub fn push_cell(self, out: &mut Vec<u8>) {
        let (start, len) = match self {
            Action::View => (0, 9),
            Action::Cart => (9, 13),
            Action::Purchase => (22, 6),
        };
        crate::text::push_from_arena(out, ACTION_CELLS, start, len);
    }

    /// The action of a code.
    pub fn from_code(c: u8) -> Action {
        match c {
            0 => Action::View,
            1 => Action::Cart,
            _ => Action::Purchase,
        }
    }

    /// [`Action::parse`] of UTF-8 bytes, the exact labels recognised without a copy.
    #[inline]
    pub fn parse_bytes(raw: &[u8]) -> Option<Action> {
        // Compared as words: short fixed compares, no call.
        let word = |b: &[u8]| -> u64 {
            let mut w = [0u8; 8];
            w[..b.len()].copy_from_slice(b);
            u64::from_le_bytes(w)
        };
        match raw.len() {
            8 if word(raw) == word(b"page_vue") => return Some(Action::View),
            5 if word(raw) == word(b"achat") => return Some(Action::Purchase),
            12 if word(&raw[..8]) == word(b"ajout_pa") && word(&raw[8..]) == word(b"nier") => {
                return Some(Action::Cart)
            }
            _ => {}
        }
        Action::parse(&String::from_utf8_lossy(raw))
    }

    /// Recognises a spelling (`page_vue`, `PAGE-VUE`, `view`, `add_to_cart`, `purchase` …).
    pub fn parse(raw: &str) -> Option<Action> {
        match raw {
            "page_vue" => return Some(Action::View),
            "ajout_panier" => return Some(Action::Cart),
            "achat" => return Some(Action::Purchase),
            _ => {}
        }
        match crate::text::category_key(raw).as_str() {
            "pagevue" | "vue" | "vuepage" | "vuedepage" | "pageview" | "view" | "visite" | "visit" => {
                Some(Action::View)
            }
            "ajoutpanier" | "ajoutaupanier" | "miseaupanier" | "panier" | "addtocart" | "cart" | "ajout" => {
                Some(Action::Cart)
            }
            "achat" | "purchase" | "buy" | "commande" | "order" | "vente" => Some(Action::Purchase),
            _ => None,
        }
    }
}

/// The action cells with their comma, padded for fixed-size copies.
const ACTION_CELLS: &[u8; 28 + crate::text::SMALL] = {
    let mut a = [0u8; 28 + crate::text::SMALL];
    let text = b"page_vue,ajout_panier,achat,";
    let mut i = 0;
    while i < text.len() {
        a[i] = text[i];
        i += 1;
    }
    &{ a }
};

/// The default customer segments, most valuable first.
pub const SEGMENTS: [&str; 3] = ["Premium", "Standard", "Basique"];

/// The default acquisition channels of the original demo.
pub const CHANNELS: [&str; 4] = ["SEO", "Social", "Email", "Direct"];

/// Other names of the default segments and channels, read as them (and counted as
/// spelling corrections): `(other name, label)`. Matched as spellings are (without
/// case, accents, spaces or dashes), and only when the label is one of the run's.
pub const CATEGORY_SYNONYMS: [(&str, &str); 17] = [
    ("Basic", "Basique"),
    ("Réseaux sociaux", "Social"),
    ("Social media", "Social"),
    ("Médias sociaux", "Social"),
    ("Mail", "Email"),
    ("Emailing", "Email"),
    ("Mailing", "Email"),
    ("Newsletter", "Email"),
    ("Courriel", "Email"),
    ("(direct)", "Direct"),
    ("(direct) / (none)", "Direct"),
    ("direct / none", "Direct"),
    ("Accès direct", "Direct"),
    ("Organic", "SEO"),
    ("Organic search", "SEO"),
    ("Référencement naturel", "SEO"),
    ("Recherche organique", "SEO"),
];

/// Sentinel for an unknown age (an empty age cell).
pub const NO_AGE: u8 = u8::MAX;

/// Sentinel for an unknown date (no signup date in the file).
pub const NO_DAY: i32 = i32::MIN;

/// Kept customers, one entry per row, as columns.
#[derive(Debug, Clone, Default)]
pub struct Customers {
    /// `client_id`.
    pub id: IdColumn,
    /// Age in years.
    pub age: Vec<u8>,
    /// Commune name (code into `villes`).
    pub ville: Vec<u32>,
    /// Postcode (code into `codes_postaux`).
    pub code_postal: Vec<u32>,
    /// Département code (code into `departements`).
    pub departement: Vec<u32>,
    /// Segment (code into `segments`).
    pub segment: Vec<u32>,
    /// Acquisition channel (code into `channels`).
    pub channel: Vec<u32>,
    /// Signup day (days since 1970-01-01), or [`NO_DAY`].
    pub signup: Vec<i32>,
    /// Marketing opt-in.
    pub consent: Vec<bool>,
    /// Whether the clients file says anything of consent (a consent column with at
    /// least one answer among the kept customers): without it, every `consent` is
    /// `false` for want of an answer, and the export leaves the cell empty.
    pub consent_known: bool,
    /// Commune names.
    pub villes: Dict,
    /// Postcodes.
    pub codes_postaux: Dict,
    /// Département codes.
    pub departements: Dict,
    /// Segment labels.
    pub segments: Dict,
    /// Channel labels.
    pub channels: Dict,
}

impl Customers {
    /// Number of customers.
    pub fn len(&self) -> usize {
        self.age.len()
    }

    /// Whether there are no customers.
    pub fn is_empty(&self) -> bool {
        self.age.is_empty()
    }
}

/// Kept interactions, as columns.
#[derive(Debug, Clone, Default)]
pub struct Interactions {
    /// `interaction_id`.
    pub id: IdColumn,
    /// Row of the customer in [`Customers`].
    pub customer: Vec<u32>,
    /// Session code (index into `session_ids`).
    pub session: Vec<u32>,
    /// Action code ([`Action`] as `u8`).
    pub action: Vec<u8>,
    /// Purchase amount in cents (0 unless the action is a purchase).
    pub amount: Ints,
    /// Timestamp in seconds since 1970-01-01T00:00:00.
    pub ts: Ints,
    /// Session labels, by session code.
    pub session_ids: IdColumn,
}

impl Interactions {
    /// Number of interactions.
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    /// Whether there are no interactions.
    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }
}

/// A column of whole numbers held in 4 bytes each while they all lie within 2³²
/// of a base set by the first one (timestamps of a few decades, amounts up to
/// millions of euros), widened once to 8 bytes each by the first value outside.
/// Either way a value reads back exactly as it was pushed.
#[derive(Debug, Clone)]
pub enum Ints {
    /// `base + values[i]`.
    Narrow {
        /// What a stored 0 stands for.
        base: i64,
        /// The values, less `base`.
        values: Vec<u32>,
    },
    /// Every value as it is.
    Wide(Vec<i64>),
}

impl Default for Ints {
    fn default() -> Self {
        Ints::Narrow {
            base: 0,
            values: Vec::new(),
        }
    }
}

impl FromIterator<i64> for Ints {
    fn from_iter<I: IntoIterator<Item = i64>>(iter: I) -> Self {
        let mut n = Ints::default();
        for v in iter {
            n.push(v);
        }
        n
    }
}

impl Ints {
    /// Number of values.
    #[inline]
    pub fn len(&self) -> usize {
        match self {
            Ints::Narrow { values, .. } => values.len(),
            Ints::Wide(v) => v.len(),
        }
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i` (panics past the end, as indexing does).
    #[inline]
    pub fn get(&self, i: usize) -> i64 {
        match self {
            Ints::Narrow { base, values } => base + values[i] as i64,
            Ints::Wide(v) => v[i],
        }
    }

    /// Appends a value.
    #[inline]
    pub fn push(&mut self, x: i64) {
        match self {
            Ints::Narrow { base, values } => {
                if values.is_empty() {
                    // Room on both sides of the first value.
                    *base = x.saturating_sub(1 << 31);
                }
                match x.checked_sub(*base).and_then(|d| u32::try_from(d).ok()) {
                    Some(d) => values.push(d),
                    None => {
                        self.widen();
                        self.push(x);
                    }
                }
            }
            Ints::Wide(v) => v.push(x),
        }
    }

    /// Room for `n` more values.
    pub fn reserve(&mut self, n: usize) {
        match self {
            Ints::Narrow { values, .. } => values.reserve(n),
            Ints::Wide(v) => v.reserve(n),
        }
    }

    /// Room for exactly `n` more values.
    pub fn reserve_exact(&mut self, n: usize) {
        match self {
            Ints::Narrow { values, .. } => values.reserve_exact(n),
            Ints::Wide(v) => v.reserve_exact(n),
        }
    }

    /// The values in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = i64> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The values, 8 bytes each.
    pub fn to_vec(&self) -> Vec<i64> {
        self.iter().collect()
    }

    fn widen(&mut self) {
        if let Ints::Narrow { base, values } = self {
            let wide = values.iter().map(|&d| *base + d as i64).collect();
            *self = Ints::Wide(wide);
        }
    }
}

/// A clean dataset: customers, their interactions, and the analysis period.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Kept customers.
    pub customers: Customers,
    /// Kept interactions.
    pub interactions: Interactions,
    /// First day of the period (inclusive).
    pub from: i32,
    /// Last day of the period (inclusive).
    pub to: i32,
    /// Whether there is a period: given, or spanned by the kept interactions. Without
    /// one (no period given and no interaction kept), `from` and `to` are 0 and mean
    /// nothing, and the daily series has no day.
    pub dated: bool,
}

#[cfg(test)]
mod tests {
    use super::{Action, Ints};
    use proptest::prelude::*;

    #[test]
    fn action_spellings_in_french_and_english() {
        for (raw, action) in [
            ("page_vue", Action::View),
            ("PAGE-VUE", Action::View),
            ("Vue page", Action::View),
            ("vue de page", Action::View),
            ("ajout_panier", Action::Cart),
            ("Ajout au panier", Action::Cart),
            ("mise au panier", Action::Cart),
            ("add_to_cart", Action::Cart),
            ("Achat", Action::Purchase),
            ("purchase", Action::Purchase),
        ] {
            assert_eq!(Action::parse_bytes(raw.as_bytes()), Some(action), "{raw}");
        }
        for raw in ["", "clic", "page"] {
            assert_eq!(Action::parse_bytes(raw.as_bytes()), None, "{raw}");
        }
    }

    fn narrow(n: &Ints) -> bool {
        matches!(n, Ints::Narrow { .. })
    }

    #[test]
    fn ints_stay_narrow_within_the_range_of_the_first_and_widen_past_it() {
        let first = 1_735_689_600; // 2025-01-01T00:00:00
        let mut n = Ints::default();
        for x in [first, first - (1 << 31), first + (1 << 31) - 1, first] {
            n.push(x);
        }
        assert!(narrow(&n));
        assert_eq!(n.to_vec(), [first, first - (1 << 31), first + (1 << 31) - 1, first]);
        n.push(first + (1 << 31));
        assert!(!narrow(&n));
        n.push(i64::MIN);
        n.push(i64::MAX);
        assert_eq!(
            n.to_vec(),
            [
                first,
                first - (1 << 31),
                first + (1 << 31) - 1,
                first,
                first + (1 << 31),
                i64::MIN,
                i64::MAX
            ]
        );
        // Below the range too, and from a first value at the end of i64.
        let mut low: Ints = [0, -(1 << 31)].into_iter().collect();
        assert!(narrow(&low));
        low.push(-(1 << 31) - 1);
        assert!(!narrow(&low));
        let edge: Ints = [i64::MIN, i64::MIN + 5, i64::MAX].into_iter().collect();
        assert_eq!(edge.to_vec(), [i64::MIN, i64::MIN + 5, i64::MAX]);
        assert_eq!(edge.len(), 3);
        assert!(Ints::default().is_empty());
    }

    proptest! {
        #[test]
        fn ints_read_back_what_was_pushed(
            first in any::<i64>(),
            steps in proptest::collection::vec(
                prop_oneof![-5_000_000_000i64..5_000_000_000, any::<i64>()], 0..60),
        ) {
            let values: Vec<i64> = std::iter::once(first)
                .chain(steps.iter().map(|&s| first.wrapping_add(s)))
                .collect();
            let mut n = Ints::default();
            n.reserve(values.len());
            for (k, &x) in values.iter().enumerate() {
                n.push(x);
                prop_assert_eq!(n.get(k), x);
            }
            prop_assert_eq!(n.len(), values.len());
            prop_assert_eq!(n.to_vec(), values);
        }
    }
}
