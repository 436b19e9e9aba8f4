//! Privacy before export: direct identifiers are never carried (and are listed),
//! `client_id` can be replaced by a keyed pseudonym (HMAC-SHA-256), age and place
//! can be generalised, a k-anonymity report is computed on the quasi-identifiers,
//! aggregated cells that count fewer than k customers are blanked and flagged, and
//! customers without marketing consent can be kept out of customer-level files.

pub mod identifiers;

pub use identifiers::{FoundBy, IdentifierKind, Scanner};

use crate::clean::CleanReport;
use crate::error::{Error, Problem};
use crate::ids::IdColumn;
use crate::metrics::{age_band, Report, AGE_BANDS};
use crate::model::Dataset;
use crate::sha_pair::Keyed;
use sha2::Sha256;
use std::collections::BTreeMap;

/// What to do before export.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PrivacyOptions {
    /// Replace `client_id` by a keyed pseudonym; `None` means the default: on for
    /// imported files, off for generated (synthetic) data.
    pub pseudonymise: Option<bool>,
    /// Derive the pseudonym key from this passphrase, so that pseudonyms are the
    /// same from one run to the next; without it the key is random and forgotten.
    /// Never written to any output.
    pub passphrase: Option<String>,
    /// Write age bands (`25-34`) instead of ages.
    pub age_bands: bool,
    /// Write the département only, without commune and postcode.
    pub departement_only: bool,
    /// Groups (and aggregated cells) of fewer than `k` customers are reported and blanked.
    pub k: u32,
    /// Keep customers without marketing consent out of customer-level files.
    pub consent_only: bool,
}

/// The default k of the k-anonymity report and of cell suppression.
pub const DEFAULT_K: u32 = 5;

impl Default for PrivacyOptions {
    fn default() -> Self {
        Self {
            pseudonymise: None,
            passphrase: None,
            age_bands: false,
            departement_only: false,
            k: DEFAULT_K,
            consent_only: false,
        }
    }
}

/// PBKDF2-HMAC-SHA-256 rounds that turn a passphrase into a pseudonym key.
pub const PBKDF2_ROUNDS: u32 = 100_000;
/// The PBKDF2 salt (fixed, so that a passphrase gives the same key everywhere).
pub const PBKDF2_SALT: &[u8] = b"numberly pseudonyms v1";
/// Hex digits of a pseudonym (80 bits of the HMAC).
pub const PSEUDONYM_HEX: usize = 20;

/// Where a pseudonym key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// Derived from the user's passphrase.
    Passphrase,
    /// Drawn from the system's (or the browser's) random source, kept in memory only.
    Random,
}

/// A pseudonym key.
#[derive(Clone)]
pub struct Key {
    bytes: [u8; 32],
    /// Where it came from.
    pub source: KeySource,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({:?})", self.source) // never the bytes
    }
}

impl Key {
    /// The key of a passphrase: PBKDF2-HMAC-SHA-256, [`PBKDF2_ROUNDS`] rounds, salt [`PBKDF2_SALT`].
    pub fn from_passphrase(passphrase: &str) -> Self {
        let mut bytes = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(passphrase.as_bytes(), PBKDF2_SALT, PBKDF2_ROUNDS, &mut bytes);
        Self {
            bytes,
            source: KeySource::Passphrase,
        }
    }

    /// A fresh random key from the operating system (the browser's `crypto.getRandomValues` in WebAssembly).
    pub fn random() -> Result<Self, Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::Options(format!("no random source for the pseudonym key: {e}")))?;
        Ok(Self {
            bytes,
            source: KeySource::Random,
        })
    }

    fn mac(&self) -> Keyed {
        Keyed::new(&self.bytes)
    }
}

/// Appends the pseudonym of `id` under `mac`: `P_` and the first [`PSEUDONYM_HEX`]
/// hex digits of HMAC-SHA-256(key, id).
fn push_pseudonym(mac: &Keyed, id: &[u8], out: &mut Vec<u8>) {
    let digest = mac.mac(id);
    out.extend_from_slice(b"P_");
    for b in &digest[..PSEUDONYM_HEX / 2] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
}

/// The pseudonym of one id under `key` (for checks and tests).
pub fn pseudonym(key: &Key, id: &str) -> String {
    let mut out = Vec::new();
    push_pseudonym(
        &key.mac(),
        id.trim_matches(|c: char| c.is_ascii_whitespace()).as_bytes(),
        &mut out,
    );
    String::from_utf8(out).unwrap_or_default()
}

/// What cleaning found about one input column.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ColumnNote {
    /// The input file.
    pub file: String,
    /// The header cell.
    pub column: String,
    /// The engine column it feeds, if any.
    pub used_as: Option<String>,
    /// The identifier kind, if it is a direct identifier.
    pub identifier: Option<IdentifierKind>,
    /// How it was recognised as one.
    pub found_by: Option<FoundBy>,
}

/// What the privacy step did, for the screen and `manifest.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PrivacyReport {
    /// Direct identifier columns, dropped from every output.
    pub identifiers_dropped: Vec<ColumnNote>,
    /// Other input columns the engine does not use (not carried either).
    pub columns_ignored: Vec<ColumnNote>,
    /// Whether `client_id` was replaced by pseudonyms.
    pub pseudonymised: bool,
    /// Pseudonymisation was switched on because `client_id` itself holds identifiers.
    pub pseudonymisation_forced: bool,
    /// The key's origin, when pseudonymised.
    pub key: Option<KeySource>,
    /// How pseudonyms are made.
    pub method: String,
    /// Ages written as bands.
    pub age_bands: bool,
    /// `commune` or `departement`.
    pub place: String,
    /// The k of the report and of suppression.
    pub k: u32,
    /// The quasi-identifiers the groups are made of.
    pub quasi_identifiers: Vec<String>,
    /// Customers in customer-level files.
    pub customers: u64,
    /// Distinct quasi-identifier combinations among them.
    pub groups: u64,
    /// Size of the smallest group (0 without customers).
    pub smallest_group: u64,
    /// Groups of fewer than k customers.
    pub groups_below_k: u64,
    /// Customers in those groups.
    pub customers_below_k: u64,
    /// Only consenting customers are in customer-level files.
    pub consent_only: bool,
    /// Customers left out of customer-level files for lack of consent.
    pub customers_left_out: u64,
    /// With the département only: customers in customer-level files who had a
    /// commune or a postcode but no département (none given, none from the postcode),
    /// and so are written without a place (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub places_lost: Option<u64>,
}

/// The privacy step applied to one dataset: what the export writers consult.
pub struct Privacy {
    /// What was done.
    pub report: PrivacyReport,
    pseudonyms: Option<IdColumn>,
    mac: Option<Keyed>,
    keep: Option<Vec<bool>>,
}

/// The size of each group of `members` that share one key, in key order: the keys
/// are sorted and counted in runs (25–36 ms for a million customers in a run, where a
/// hash map of the groups took 46–67 ms, on one thread while the other core waited).
/// Keys are packed into one `u64` when the codes present leave room, which they do
/// unless the dictionaries are huge; otherwise they are sorted as they are.
pub(crate) fn group_sizes(members: &[usize], key: impl Fn(usize) -> [u32; 5]) -> Vec<u64> {
    fn runs<T: Ord>(mut keys: Vec<T>) -> Vec<u64> {
        keys.sort_unstable();
        keys.chunk_by(|a, b| a == b).map(|run| run.len() as u64).collect()
    }
    let mut bits = [0u32; 5];
    for &i in members {
        for (b, v) in bits.iter_mut().zip(key(i)) {
            *b |= v;
        }
    }
    let widths = bits.map(|b| u32::BITS - b.leading_zeros());
    if widths.iter().sum::<u32>() > u64::BITS {
        return runs(members.iter().map(|&i| key(i)).collect());
    }
    runs(
        members
            .iter()
            .map(|&i| {
                key(i)
                    .iter()
                    .zip(widths)
                    .fold(0u64, |packed, (&v, w)| packed << w | v as u64)
            })
            .collect(),
    )
}

impl Privacy {
    /// No pseudonyms, no generalisation, k = 1: outputs as cleaned (used by tests and benchmarks).
    pub fn off(dataset: &Dataset, clean: &CleanReport) -> Self {
        let opts = PrivacyOptions {
            pseudonymise: Some(false),
            k: 1,
            ..PrivacyOptions::default()
        };
        Self::new(dataset, clean, &opts, false, None).expect("no key needed")
    }

    /// Applies `opts` to `dataset`. `imported` chooses the pseudonymisation default;
    /// `key` is used when pseudonymising without a passphrase (a random key is made
    /// when it is `None`).
    pub fn new(
        dataset: &Dataset,
        clean: &CleanReport,
        opts: &PrivacyOptions,
        imported: bool,
        key: Option<&Key>,
    ) -> Result<Self, Error> {
        let c = &dataset.customers;
        // Without a consent answer every customer reads as without consent: keeping
        // only those with it would leave nothing, for no reason the user could see.
        if opts.consent_only && imported && !c.consent_known {
            return Err(Error::problem(&clean.clients.file, Problem::NoConsentColumn));
        }
        let forced = clean
            .columns
            .iter()
            .any(|n| n.used_as.as_deref() == Some("client_id") && n.identifier.is_some());
        let pseudonymise = forced || opts.pseudonymise.unwrap_or(imported);
        let key = match (pseudonymise, opts.passphrase.as_deref().filter(|p| !p.is_empty()), key) {
            (false, _, _) => None,
            (true, Some(p), _) => Some(Key::from_passphrase(p)),
            (true, None, Some(k)) => Some(k.clone()),
            (true, None, None) => Some(Key::random()?),
        };
        let mac = key.as_ref().map(Key::mac);
        let pseudonyms = mac.as_ref().map(|mac| {
            let mut bytes = Vec::with_capacity(c.len() * (PSEUDONYM_HEX + 2));
            let mut ends = Vec::with_capacity(c.len());
            let mut id = Vec::new();
            for i in 0..c.len() {
                id.clear();
                c.id.write(i, &mut id);
                push_pseudonym(mac, &id, &mut bytes);
                ends.push(bytes.len() as u64);
            }
            IdColumn::Text { bytes, ends }
        });
        let keep = opts.consent_only.then(|| c.consent.clone());
        let k = opts.k.max(1);
        let kept = |i: usize| keep.as_ref().is_none_or(|k| k[i]);
        // Groups of the quasi-identifiers as they are written.
        let quasi = |i: usize| -> [u32; 5] {
            let age = if opts.age_bands {
                age_band(c.age[i]) as u32
            } else {
                c.age[i] as u32
            };
            let place = if opts.departement_only {
                (0, c.departement[i])
            } else {
                (c.ville[i], c.code_postal[i])
            };
            [age, place.0, place.1, c.segment[i], c.channel[i]]
        };
        let members: Vec<usize> = (0..c.len()).filter(|&i| kept(i)).collect();
        let customers = members.len() as u64;
        let places_lost = opts.departement_only.then(|| {
            let blank = |d: &crate::ids::Dict, code: u32| d.label(code).is_empty();
            members
                .iter()
                .filter(|&&i| {
                    blank(&c.departements, c.departement[i])
                        && !(blank(&c.villes, c.ville[i]) && blank(&c.codes_postaux, c.code_postal[i]))
                })
                .count() as u64
        });
        let groups = group_sizes(&members, quasi);
        let below: Vec<u64> = groups.iter().copied().filter(|&n| n < k as u64).collect();
        let (identifiers_dropped, columns_ignored) = clean
            .columns
            .iter()
            .filter(|n| n.used_as.is_none() || n.identifier.is_some() && n.used_as.as_deref() != Some("client_id"))
            .cloned()
            .partition(|n| n.identifier.is_some());
        let report = PrivacyReport {
            identifiers_dropped,
            columns_ignored,
            pseudonymised: pseudonymise,
            pseudonymisation_forced: forced && !opts.pseudonymise.unwrap_or(imported),
            key: key.as_ref().map(|k| k.source),
            method: if pseudonymise {
                format!(
                    "P_ + first {PSEUDONYM_HEX} hex digits of HMAC-SHA-256(key, client_id); \
passphrase keys: PBKDF2-HMAC-SHA-256, {PBKDF2_ROUNDS} rounds"
                )
            } else {
                String::new()
            },
            age_bands: opts.age_bands,
            place: if opts.departement_only {
                "departement"
            } else {
                "commune"
            }
            .to_string(),
            k,
            quasi_identifiers: vec![
                if opts.age_bands { "age_band" } else { "age" }.to_string(),
                if opts.departement_only {
                    "departement"
                } else {
                    "ville+code_postal"
                }
                .to_string(),
                "segment".to_string(),
                "canal_acquisition".to_string(),
            ],
            customers,
            groups: groups.len() as u64,
            smallest_group: groups.iter().copied().min().unwrap_or(0),
            groups_below_k: below.len() as u64,
            customers_below_k: below.iter().sum(),
            consent_only: opts.consent_only,
            customers_left_out: c.len() as u64 - customers,
            places_lost,
        };
        Ok(Self {
            report,
            pseudonyms,
            mac,
            keep,
        })
    }

    /// The `client_id` column to write: pseudonyms, or the cleaned ids.
    pub fn customer_ids<'a>(&'a self, dataset: &'a Dataset) -> &'a IdColumn {
        self.pseudonyms.as_ref().unwrap_or(&dataset.customers.id)
    }

    /// Whether customer `i` goes into customer-level files.
    #[inline]
    pub fn keeps(&self, i: usize) -> bool {
        self.keep.as_ref().is_none_or(|k| k[i])
    }

    /// Whether an aggregated cell counting `customers` is blanked.
    #[inline]
    pub fn suppresses(&self, customers: u64) -> bool {
        customers > 0 && customers < self.report.k as u64
    }

    /// Appends the age cell of an age.
    pub fn push_age(&self, out: &mut Vec<u8>, age: u8) {
        match age {
            // (Empty, as it was read.)
            crate::model::NO_AGE => {}
            _ if self.report.age_bands => out.extend_from_slice(AGE_BANDS[age_band(age)].1.as_bytes()),
            _ => crate::text::push_int(out, age as i64),
        }
    }

    /// Whether commune and postcode are written.
    pub fn writes_commune(&self) -> bool {
        !self.report.place.starts_with("dep")
    }

    /// The raw value of a reject as it may be written: a `client_id` is pseudonymised
    /// like the kept ones; a value that looks like a direct identifier is withheld.
    pub fn reject_value(&self, column: &str, value: &str) -> String {
        if let (Some(mac), "client_id") = (&self.mac, column) {
            // Trimmed as cleaning trims an id (ASCII blanks only: a no-break space
            // stays), so that a customer's rejects carry their kept pseudonym.
            let id = value.trim_matches(|c: char| c.is_ascii_whitespace());
            if !id.is_empty() {
                let mut out = Vec::new();
                push_pseudonym(mac, id.as_bytes(), &mut out);
                return String::from_utf8(out).unwrap_or_default();
            }
        }
        Self::unpseudonymised_value(value)
    }

    /// A reject's value as it may be written ([`Self::reject_value`]); a `client_id`
    /// cut for its length is judged, and pseudonymised, whole.
    pub fn reject_cell(&self, r: &crate::clean::Reject) -> String {
        match &r.whole_id {
            Some(id) if self.mac.is_some() => self.reject_value(r.column, id),
            Some(_) => Self::reject_as_written(r),
            _ => self.reject_value(r.column, &r.value),
        }
    }

    /// A reject's value as the user's own screen may show it
    /// ([`Self::unpseudonymised_value`]); a `client_id` cut for its length is judged
    /// whole.
    pub fn reject_as_written(r: &crate::clean::Reject) -> String {
        match &r.whole_id {
            Some(id) if identifiers::kind_of_value(id.as_bytes()).is_some() => Self::unpseudonymised_value(id),
            _ => Self::unpseudonymised_value(&r.value),
        }
    }

    /// The raw value of a reject as the user's own screen may show it: as written in
    /// their file (so that they can find and fix it), except that a value that looks
    /// like a direct identifier is still withheld.
    pub fn unpseudonymised_value(value: &str) -> String {
        match identifiers::kind_of_value(value.as_bytes()) {
            Some(kind) => format!("[withheld: {}]", kind_label(kind)),
            None => value.to_string(),
        }
    }
}

fn kind_label(kind: IdentifierKind) -> &'static str {
    match kind {
        IdentifierKind::Name => "name",
        IdentifierKind::Email => "email",
        IdentifierKind::Phone => "phone",
        IdentifierKind::Address => "address",
    }
}

/// Rows blanked in each aggregated file of `report` under `privacy` (the rule the
/// writers follow, see [`Blanked`]).
pub fn suppressed_rows(report: &Report, privacy: &Privacy) -> BTreeMap<String, u64> {
    let b = Blanked::new(report, privacy);
    let count = |rows: &[bool]| rows.iter().filter(|&&h| h).count() as u64;
    let mut out = BTreeMap::new();
    // All of kpis.csv's rows, or none.
    out.insert("kpis.csv".to_string(), if b.kpis { KPI_ROWS } else { 0 });
    out.insert("by_channel.csv".to_string(), count(&b.by_channel));
    out.insert("by_segment.csv".to_string(), count(&b.by_segment));
    out.insert("age_bands.csv".to_string(), count(&b.age_bands));
    out.insert("daily.csv".to_string(), count(&b.daily));
    out.insert("funnel.csv".to_string(), count(&b.funnel));
    out.insert("rfm_segments.csv".to_string(), count(&b.rfm_segments));
    out
}

/// The rows blanked in each aggregated file, in the file's row order. A row is
/// blanked when its smallest non-zero customer count is below k (see
/// [`group_suppressed`]); and, since the rows of each file add up to the totals of
/// `kpis.csv`, a row blanked alone in its file would be the total minus the rows
/// shown: then the smallest other row is blanked too (complementary suppression),
/// so that only the sum of the two can be worked out.
pub struct Blanked {
    /// `kpis.csv`, all its rows or none.
    pub kpis: bool,
    /// `by_channel.csv`.
    pub by_channel: Vec<bool>,
    /// `by_segment.csv`.
    pub by_segment: Vec<bool>,
    /// `age_bands.csv`.
    pub age_bands: Vec<bool>,
    /// `daily.csv`.
    pub daily: Vec<bool>,
    /// `funnel.csv` (`all` first, then the channels).
    pub funnel: Vec<bool>,
    /// `rfm_segments.csv`.
    pub rfm_segments: Vec<bool>,
}

impl Blanked {
    /// The rows blanked for `report` under `privacy`.
    pub fn new(report: &Report, privacy: &Privacy) -> Self {
        // A complement must hide something in every column the blanked row is
        // hidden for: one with no buyer (or no purchase, no revenue) would leave the
        // blanked row's purchases and revenue one subtraction away.
        let groups = |rows: &[crate::metrics::GroupRow]| {
            blank_rows(
                rows,
                |g| group_suppressed(g, privacy),
                |g| {
                    (
                        g.customers == 0 || g.active_customers == 0 || g.buyers == 0,
                        g.customers,
                    )
                },
            )
        };
        let daily = blank_rows(
            &report.daily,
            |d| privacy.suppresses(d.active_customers) || privacy.suppresses(d.buyers),
            |d| (d.active_customers == 0 || d.purchases == 0, d.active_customers),
        );
        let rfm_segments = blank_rows(
            &report.rfm.segments,
            |s| privacy.suppresses(s.customers),
            |s| (s.customers == 0 || s.revenue_cents == 0, s.customers),
        );
        let by_channel = groups(&report.by_channel);
        // The funnel's channel rows add up to its `all` row, and are the channels of
        // by_channel.csv: a channel blanked in either file is blanked in both, and
        // they complement one another.
        let sizes: Vec<u64> = report
            .funnel
            .iter()
            .map(|f| funnel_customers(report, &f.label))
            .collect();
        let in_by_channel = |label: &str| {
            report
                .by_channel
                .iter()
                .zip(&by_channel)
                .any(|(g, &hidden)| hidden && g.label == label)
        };
        let channels: Vec<usize> = (0..report.funnel.len())
            .filter(|&i| report.funnel[i].label != "all")
            .collect();
        let hidden = blank_rows(
            &channels,
            |&i| privacy.suppresses(sizes[i]) || in_by_channel(&report.funnel[i].label),
            |&i| (sizes[i] == 0 || report.funnel[i].sessions_purchase == 0, sizes[i]),
        );
        let mut funnel: Vec<bool> = sizes.iter().map(|&n| privacy.suppresses(n)).collect();
        for (&i, &h) in channels.iter().zip(&hidden) {
            funnel[i] = h;
        }
        let in_funnel = |label: &str| channels.iter().any(|&i| funnel[i] && report.funnel[i].label == label);
        let by_channel = report
            .by_channel
            .iter()
            .zip(by_channel)
            .map(|(g, hidden)| hidden || in_funnel(&g.label))
            .collect();
        Self {
            kpis: kpis_suppressed(report, privacy),
            by_channel,
            by_segment: groups(&report.by_segment),
            age_bands: groups(&report.by_age_band),
            daily,
            funnel,
            rfm_segments,
        }
    }
}

/// The rows of a file blanked by `blank`, with their complement (see
/// [`complemented`]) chosen by `key`.
fn blank_rows<T>(rows: &[T], blank: impl Fn(&T) -> bool, key: impl Fn(&T) -> (bool, u64)) -> Vec<bool> {
    complemented(
        rows.iter().map(blank).collect(),
        &rows.iter().map(key).collect::<Vec<_>>(),
    )
}

/// `blanked` with, when it blanks exactly one of several rows, another row blanked
/// too: by `keys` (`(tells nothing, size)`), the smallest of those that hide
/// something (a row with nothing in a column would leave the blanked row's value in
/// it one subtraction away), else the smallest; the first of equals.
fn complemented(mut blanked: Vec<bool>, keys: &[(bool, u64)]) -> Vec<bool> {
    if blanked.len() < 2 || blanked.iter().filter(|&&h| h).count() != 1 {
        return blanked;
    }
    let other = (0..blanked.len()).filter(|&i| !blanked[i]).min_by_key(|&i| keys[i]);
    if let Some(i) = other {
        blanked[i] = true;
    }
    blanked
}

/// Whether a by-channel, by-segment or by-age-band row is blanked.
pub fn group_suppressed(g: &crate::metrics::GroupRow, privacy: &Privacy) -> bool {
    [g.customers, g.active_customers, g.buyers]
        .into_iter()
        .any(|n| privacy.suppresses(n))
}

/// Rows of `kpis.csv`: one per metric.
pub const KPI_ROWS: u64 = 11;

/// Whether the KPI rows are blanked (the whole selection counts fewer than k customers).
pub fn kpis_suppressed(report: &Report, privacy: &Privacy) -> bool {
    let k = &report.kpis;
    [k.customers, k.active_customers, k.buyers]
        .into_iter()
        .any(|n| privacy.suppresses(n))
}

/// The active customers behind a funnel row (`all` or a channel).
pub fn funnel_customers(report: &Report, label: &str) -> u64 {
    if label == "all" {
        return report.kpis.active_customers;
    }
    report
        .by_channel
        .iter()
        .find(|g| g.label == label)
        .map_or(0, |g| g.active_customers)
}

#[cfg(test)]
mod tests;
