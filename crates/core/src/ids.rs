//! Identifier and category columns. Ids such as `C_000123` are stored as a shared
//! prefix plus a number, kept as runs of consecutive numbers (ids usually count up
//! one by one, so ten million of them cost a few bytes) and found by array lookup;
//! any other spelling falls back to text and a hash map.

use rustc_hash::FxHashMap;

/// Splits `C_000123` into (`C_`, `000123`); `None` without a trailing number.
pub(crate) fn split_numbered(id: &[u8]) -> Option<(&[u8], &[u8])> {
    let digits = id.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    // A prefix that a file would need to quote or defuse is not one: numbered ids are
    // written as prefix and digits, without either.
    let prefix = &id[..id.len() - digits];
    (digits > 0 && digits <= 18 && crate::text::is_plain(prefix)).then(|| id.split_at(id.len() - digits))
}

/// The number of `id` when it is `prefix` followed by exactly `width` digits.
#[inline(always)]
pub(crate) fn numbered(id: &[u8], prefix: &[u8], width: usize) -> Option<u64> {
    if width == 0 || id.len() != prefix.len() + width {
        return None;
    }
    // Byte by byte: prefixes are short, and a call to compare them costs more.
    if id.iter().zip(prefix).any(|(a, b)| a != b) {
        return None;
    }
    let digits = &id[prefix.len()..];
    if digits.len() > 8 {
        // The last eight digits at once, the rest one by one.
        let high = &digits[..digits.len() - 8];
        let low = eight_digits(id, 8)?;
        let high = scalar_digits(high)?;
        return Some(high * 100_000_000 + low);
    }
    if id.len() >= 8 {
        return eight_digits(id, digits.len());
    }
    scalar_digits(digits)
}

/// The value of the last `count` (1 to 8) bytes of `bytes` (which has at least 8)
/// when they are all ASCII digits: the last eight bytes are read as one word, the
/// bytes before the digits made `'0'`, and all eight checked and added up at once.
#[inline(always)]
fn eight_digits(bytes: &[u8], count: usize) -> Option<u64> {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    const LOW: u64 = 0x0F0F_0F0F_0F0F_0F0F;
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[bytes.len() - 8..]);
    let word = u64::from_le_bytes(w);
    // The digits are the high `count` bytes of the little-endian word.
    let keep = u64::MAX << (8 * (8 - count));
    let x = ((word & keep) | (ZEROS & !keep)) ^ ZEROS;
    // A digit leaves 0..=9 in each byte: nothing in the high nibble, and adding 6
    // does not carry out of the low one.
    if x & !LOW != 0 || (x + 0x0606_0606_0606_0606) & !LOW != 0 {
        return None;
    }
    // Pairs, then fours, then all eight (the first byte is the most significant digit).
    let x = (x * 10 + (x >> 8)) & 0x00FF_00FF_00FF_00FF;
    let x = (x * 100 + (x >> 16)) & 0x0000_FFFF_0000_FFFF;
    Some((x * 10_000 + (x >> 32)) & 0xFFFF_FFFF)
}

/// The value of `digits` when they are all ASCII digits (at most 18 of them).
fn scalar_digits(digits: &[u8]) -> Option<u64> {
    let mut n = 0u64;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as u64;
    }
    Some(n)
}

fn digits_value(d: &[u8]) -> u64 {
    d.iter().fold(0u64, |a, &c| a * 10 + (c - b'0') as u64)
}

/// Numbers in row order: runs of consecutive values while there are few runs,
/// else one value per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Numbers {
    /// Per run: the index of its first number, and that number.
    Runs {
        /// The runs, in order.
        runs: Vec<(u64, u64)>,
        /// Number of values.
        len: usize,
    },
    /// Every value.
    Plain(Vec<u64>),
}

impl Default for Numbers {
    fn default() -> Self {
        Numbers::Runs {
            runs: Vec::new(),
            len: 0,
        }
    }
}

impl FromIterator<u64> for Numbers {
    fn from_iter<I: IntoIterator<Item = u64>>(iter: I) -> Self {
        let mut n = Numbers::default();
        for v in iter {
            n.push(v);
        }
        n
    }
}

impl Numbers {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Numbers::Runs { len, .. } => *len,
            Numbers::Plain(v) => v.len(),
        }
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a value.
    #[inline]
    pub fn push(&mut self, v: u64) {
        match self {
            Numbers::Runs { runs, len } => {
                if let Some(&(start, first)) = runs.last() {
                    if first.checked_add(*len as u64 - start) == Some(v) {
                        *len += 1;
                        return;
                    }
                }
                // Runs pay off while they are long: past one run per four values,
                // one value per row is smaller.
                if runs.len() >= 1024 && runs.len() * 4 > *len {
                    let mut plain: Vec<u64> = (0..*len).map(|i| self.get(i)).collect();
                    plain.push(v);
                    *self = Numbers::Plain(plain);
                    return;
                }
                runs.push((*len as u64, v));
                *len += 1;
            }
            Numbers::Plain(values) => values.push(v),
        }
    }

    /// Value `i`.
    #[inline]
    pub fn get(&self, i: usize) -> u64 {
        match self {
            Numbers::Runs { runs, .. } => {
                let k = runs.partition_point(|r| r.0 as usize <= i).saturating_sub(1);
                let (start, first) = runs[k];
                first + (i as u64 - start)
            }
            Numbers::Plain(values) => values[i],
        }
    }

    /// Value `i`, for reads that mostly move forward: `run` remembers where the last
    /// read was (start it at 0).
    #[inline]
    pub fn get_from(&self, i: usize, run: &mut usize) -> u64 {
        match self {
            Numbers::Runs { runs, .. } => {
                let i64 = i as u64;
                // In the run of the last read, or the next one; else looked up (a
                // cursor that starts at 0 far into the column, or jumps, must not walk
                // run by run: with many runs that was quadratic).
                let holds =
                    |k: usize| runs.get(k).is_some_and(|r| r.0 <= i64) && runs.get(k + 1).is_none_or(|r| r.0 > i64);
                if !holds(*run) {
                    *run = if holds(*run + 1) {
                        *run + 1
                    } else {
                        runs.partition_point(|r| r.0 <= i64).saturating_sub(1)
                    };
                }
                let (start, first) = runs[*run];
                first + (i64 - start)
            }
            Numbers::Plain(values) => values[i],
        }
    }
}

/// A column of identifiers, in row order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdColumn {
    /// Every id is `prefix` + a number zero-padded to `width` digits.
    Numbered {
        /// The shared prefix (`C_`).
        prefix: Vec<u8>,
        /// The digit count.
        width: usize,
        /// The numbers.
        nums: Numbers,
    },
    /// Free text ids: bytes of all ids, and where each one ends.
    Text {
        /// The ids, one after the other.
        bytes: Vec<u8>,
        /// The end offset of each id in `bytes`.
        ends: Vec<u64>,
    },
}

impl Default for IdColumn {
    fn default() -> Self {
        IdColumn::Numbered {
            prefix: Vec::new(),
            width: 0,
            nums: Numbers::default(),
        }
    }
}

impl IdColumn {
    /// A numbered column (`prefix` + `width` digits) from its numbers.
    pub fn numbered(prefix: &str, width: usize, nums: Numbers) -> Self {
        IdColumn::Numbered {
            prefix: prefix.as_bytes().to_vec(),
            width,
            nums,
        }
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        match self {
            IdColumn::Numbered { nums, .. } => nums.len(),
            IdColumn::Text { ends, .. } => ends.len(),
        }
    }

    /// Whether the column is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends an id.
    pub fn push(&mut self, id: &[u8]) {
        if let IdColumn::Numbered { prefix, width, nums } = self {
            if nums.is_empty() && *width == 0 {
                if let Some((p, d)) = split_numbered(id) {
                    *prefix = p.to_vec();
                    *width = d.len();
                }
            }
            match split_numbered(id) {
                Some((p, d)) if *width > 0 && p == prefix.as_slice() && d.len() == *width => {
                    nums.push(digits_value(d));
                    return;
                }
                _ => self.make_text(),
            }
        }
        if let IdColumn::Text { bytes, ends } = self {
            bytes.extend_from_slice(id);
            ends.push(bytes.len() as u64);
        }
    }

    fn make_text(&mut self) {
        if let IdColumn::Numbered { .. } = self {
            let mut bytes = Vec::new();
            let mut ends = Vec::with_capacity(self.len());
            for i in 0..self.len() {
                self.write(i, &mut bytes);
                ends.push(bytes.len() as u64);
            }
            *self = IdColumn::Text { bytes, ends };
        }
    }

    /// Appends id `i` to `out`.
    #[inline]
    pub fn write(&self, i: usize, out: &mut Vec<u8>) {
        match self {
            IdColumn::Numbered { prefix, width, nums } => {
                out.extend_from_slice(prefix);
                crate::text::push_padded(out, nums.get(i), *width);
            }
            IdColumn::Text { bytes, ends } => {
                let start = if i == 0 { 0 } else { ends[i - 1] as usize };
                out.extend_from_slice(&bytes[start..ends[i] as usize]);
            }
        }
    }

    /// Id `i` as a string.
    pub fn get(&self, i: usize) -> String {
        let mut v = Vec::new();
        self.write(i, &mut v);
        String::from_utf8_lossy(&v).into_owned()
    }
}

/// Finds the code of an id in O(1): an array indexed by number for ids of the
/// dominant `prefix + width digits` form, a hash map for the rest.
#[derive(Debug, Default)]
pub struct IdIndex {
    prefix: Vec<u8>,
    width: usize,
    dense: Vec<u32>,
    sparse: FxHashMap<Box<[u8]>, u32>,
    len: u32,
}

const EMPTY: u32 = u32::MAX;

impl IdIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of a dominant-form id.
    #[inline]
    pub(crate) fn number(&self, id: &[u8]) -> Option<u64> {
        numbered(id, &self.prefix, self.width)
    }

    /// The code of each number of the dominant form (`u32::MAX` where none).
    pub(crate) fn dense_codes(&self) -> &[u32] {
        &self.dense
    }

    /// Number of distinct ids.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether no id was inserted.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The code of `id`, if present.
    #[inline]
    pub fn get(&self, id: &[u8]) -> Option<u32> {
        if let Some(n) = self.number(id) {
            // (`try_from`: on 32-bit targets a larger number must not wrap onto a small one.)
            if let Some(&c) = usize::try_from(n).ok().and_then(|n| self.dense.get(n)) {
                if c != EMPTY {
                    return Some(c);
                }
            }
        }
        if self.sparse.is_empty() {
            None
        } else {
            self.sparse.get(id).copied()
        }
    }

    /// Inserts `id`; returns its code and whether it is new.
    pub fn insert(&mut self, id: &[u8]) -> (u32, bool) {
        if self.len == 0 && self.width == 0 {
            if let Some((p, d)) = split_numbered(id) {
                self.prefix = p.to_vec();
                self.width = d.len();
            }
        }
        if let Some(c) = self.get(id) {
            return (c, false);
        }
        let code = self.len;
        self.len += 1;
        // The array grows while the numbers stay dense (at most 4 slots per id
        // plus a million); ids past that go to the map, and lookups try both.
        match self.number(id) {
            Some(n) if n < 4 * self.len as u64 + (1 << 20) => {
                let n = n as usize;
                if n >= self.dense.len() {
                    self.dense.resize((n + 1).max(self.dense.len() * 3 / 2), EMPTY);
                }
                self.dense[n] = code;
            }
            _ => {
                self.sparse.insert(id.into(), code);
            }
        }
        (code, true)
    }
}

/// A dictionary of category labels: label ↔ small integer code, in first-seen order.
/// Category dictionaries also match by spelling key, so `" seo"` and `"SEO"` are one
/// category; plain text dictionaries (commune names) match exact text only.
#[derive(Debug, Clone, Default)]
pub struct Dict {
    labels: Vec<String>,
    exact: FxHashMap<Box<[u8]>, u32>,
    by_key: Option<FxHashMap<String, u32>>,
}

/// Up to this many labels, exact matches are found by comparing them in turn.
const FEW: usize = 8;

impl Dict {
    /// A category dictionary pre-filled with canonical labels, in this order.
    pub fn categories<S: AsRef<str>>(labels: &[S]) -> Self {
        let mut d = Self {
            by_key: Some(FxHashMap::default()),
            ..Self::default()
        };
        for l in labels {
            d.intern(l.as_ref());
        }
        for (other, label) in crate::model::CATEGORY_SYNONYMS {
            if let (Some(code), Some(keys)) = (d.exact(label.as_bytes()), &mut d.by_key) {
                keys.entry(crate::text::category_key(other)).or_insert(code);
            }
        }
        d
    }

    /// An exact-text dictionary.
    pub fn text() -> Self {
        Self::default()
    }

    /// The labels, by code.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the dictionary is empty.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Label of a code.
    pub fn label(&self, code: u32) -> &str {
        self.labels.get(code as usize).map_or("", String::as_str)
    }

    /// The code whose label is exactly `raw`.
    #[inline]
    fn exact(&self, raw: &[u8]) -> Option<u32> {
        if self.labels.len() <= FEW {
            return self.labels.iter().position(|l| l.as_bytes() == raw).map(|p| p as u32);
        }
        self.exact.get(raw).copied()
    }

    /// Code of `raw`: its exact label, or (for categories) a matching spelling.
    pub fn find(&self, raw: &str) -> Option<u32> {
        if let Some(c) = self.exact(raw.as_bytes()) {
            return Some(c);
        }
        self.by_key.as_ref()?.get(&crate::text::category_key(raw)).copied()
    }

    /// Code for `raw`, adding it (trimmed) when nothing matches; the flag says whether
    /// `raw` differed from the stored label (a corrected spelling).
    pub fn intern(&mut self, raw: &str) -> (u32, bool) {
        self.intern_bytes(raw.as_bytes())
    }

    /// [`Dict::intern`] for UTF-8 bytes (invalid sequences are replaced in a new label).
    #[inline]
    pub fn intern_bytes(&mut self, raw: &[u8]) -> (u32, bool) {
        if let Some(c) = self.exact(raw) {
            return (c, false);
        }
        let text = String::from_utf8_lossy(raw);
        let trimmed = text.trim();
        if let Some(code) = self.find(trimmed) {
            return (code, true);
        }
        let code = self.labels.len() as u32;
        self.labels.push(trimmed.to_string());
        self.exact.insert(trimmed.as_bytes().into(), code);
        if let Some(keys) = &mut self.by_key {
            keys.entry(crate::text::category_key(trimmed)).or_insert(code);
        }
        (code, trimmed.as_bytes() != raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_names_of_the_default_categories_are_spellings_of_them() {
        let mut channels = Dict::categories(&crate::model::CHANNELS);
        for (raw, label) in [
            ("Réseaux sociaux", "Social"),
            ("E-mailing", "Email"),
            ("(direct) / (none)", "Direct"),
            ("organic search", "SEO"),
            ("Affiliation", "Affiliation"),
        ] {
            let (code, corrected) = channels.intern(raw);
            assert_eq!((channels.label(code), corrected), (label, raw != label), "{raw}");
        }
        assert_eq!(channels.len(), 5);
        // A synonym whose label is not one of the run's is a label of its own.
        let mut segments = Dict::categories(&["Gold", "Silver"]);
        assert_eq!(segments.intern("Basic"), (2, false));
        let mut segments = Dict::categories(&crate::model::SEGMENTS);
        assert_eq!(segments.intern("BASIC"), (2, true));
    }

    /// `numbered` the plain way: the prefix, then every byte a digit.
    fn numbered_by_hand(id: &[u8], prefix: &[u8], width: usize) -> Option<u64> {
        let digits = id.strip_prefix(prefix)?;
        (width > 0 && digits.len() == width && digits.iter().all(u8::is_ascii_digit))
            .then(|| digits.iter().fold(0, |n, &c| n * 10 + (c - b'0') as u64))
    }

    #[test]
    fn numbered_reads_every_width_and_refuses_every_non_digit() {
        let mut checked = 0;
        for prefix in [&b""[..], b"C", b"I_", b"client-"] {
            for width in 1..=18usize {
                let digits: Vec<u8> = (0..width).map(|k| b"9081726354"[k % 10]).collect();
                let id = [prefix, &digits[..]].concat();
                let expected = numbered_by_hand(&id, prefix, width);
                assert!(expected.is_some());
                assert_eq!(
                    numbered(&id, prefix, width),
                    expected,
                    "{}",
                    String::from_utf8_lossy(&id)
                );
                assert_eq!(numbered(&id, prefix, width + 1), None);
                // Any byte in place of any digit: the same answer as by hand.
                for at in prefix.len()..id.len() {
                    for byte in [b'/', b':', b'0' - 16, b'9' + 16, b' ', 0, 0x80, 0xC3, 0xFF, b'5'] {
                        let mut odd = id.clone();
                        odd[at] = byte;
                        assert_eq!(numbered(&odd, prefix, width), numbered_by_hand(&odd, prefix, width));
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(numbered(b"C_99999999", b"C_", 8), Some(99_999_999));
        assert_eq!(numbered(b"C_00000000", b"C_", 8), Some(0));
        assert_eq!(numbered(b"X_00000001", b"C_", 8), None);
        assert_eq!(numbered(b"999999999999999999", b"", 18), Some(999_999_999_999_999_999));
        assert!(checked > 5_000);
    }

    #[test]
    fn numbered_ids_stay_compact_until_an_odd_one_arrives() {
        let mut c = IdColumn::default();
        c.push(b"C_0001");
        c.push(b"C_0042");
        assert!(matches!(c, IdColumn::Numbered { .. }));
        assert_eq!(c.get(1), "C_0042");
        c.push(b"client-x");
        assert!(matches!(c, IdColumn::Text { .. }));
        assert_eq!(
            (c.get(0), c.get(1), c.get(2)),
            ("C_0001".into(), "C_0042".into(), "client-x".into())
        );
    }

    #[test]
    fn numbers_keep_runs_and_fall_back_to_values() {
        let values: Vec<u64> = [1, 2, 3, 7, 8, 5, 5, 6, u64::MAX, 0].to_vec();
        let n: Numbers = values.iter().copied().collect();
        assert!(matches!(&n, Numbers::Runs { runs, .. } if runs.len() == 6));
        let mut run = 0;
        for (i, &v) in values.iter().enumerate() {
            assert_eq!((n.get(i), n.get_from(i, &mut run)), (v, v));
        }
        // Backwards reads find their run again.
        assert_eq!((n.get_from(1, &mut run), n.get_from(4, &mut run)), (2, 8));
        // Many runs (one number in nine skipped): cursors started at 0 anywhere, reads
        // moving forward by one or by jumps, and backwards, all agree with `get`.
        let gappy: Vec<u64> = (0..100_000u64).map(|i| i + i / 8).collect();
        let n: Numbers = gappy.iter().copied().collect();
        assert!(matches!(&n, Numbers::Runs { runs, .. } if runs.len() == 12_500));
        for first in [0, 7, 8, 9, 65_536, 99_999] {
            let mut run = 0;
            assert!((first..100_000.min(first + 100)).all(|i| n.get_from(i, &mut run) == gappy[i]));
        }
        let mut run = 0;
        let mut i = 0usize;
        for step in 0..20_000usize {
            i = (i + step * 7919) % 100_000;
            assert_eq!(n.get_from(i, &mut run), gappy[i], "read {step} at {i}");
        }
        // Scattered values: one per row once runs stop paying off.
        let scattered: Vec<u64> = (0..5000u64).map(|i| i * 7919 % 5003).collect();
        let n: Numbers = scattered.iter().copied().collect();
        assert!(matches!(n, Numbers::Plain(_)));
        assert!((0..5000).all(|i| n.get(i) == scattered[i]));
        let counting: Numbers = (1..=1_000_000).collect();
        assert!(matches!(&counting, Numbers::Runs { runs, .. } if runs.len() == 1));
        assert_eq!((counting.len(), counting.get(999_999)), (1_000_000, 1_000_000));
    }

    #[test]
    fn index_finds_dense_and_sparse_ids() {
        let mut ix = IdIndex::new();
        assert_eq!(ix.insert(b"C_0001"), (0, true));
        assert_eq!(ix.insert(b"C_1"), (1, true)); // other width: not the same id
        assert_eq!(ix.insert(b"zz"), (2, true));
        assert_eq!(ix.insert(b"C_0001"), (0, false));
        assert_eq!(ix.insert(b"C_99999999999"), (3, true)); // past the dense limit
        assert_eq!(ix.get(b"C_99999999999"), Some(3));
        assert_eq!(ix.get(b"C_0002"), None);
        assert_eq!(ix.get(b"C_1"), Some(1));
        assert_eq!(ix.len(), 4);
    }

    #[test]
    fn dict_merges_spellings() {
        let mut d = Dict::categories(&["SEO", "Email"]);
        assert_eq!(d.intern(" seo"), (0, true));
        assert_eq!(d.intern("E-mail"), (1, true));
        assert_eq!(d.intern("Email"), (1, false));
        assert_eq!(d.intern("Publicité "), (2, true));
        assert_eq!(d.intern("publicite"), (2, true));
        assert_eq!(d.label(2), "Publicité");
        let mut t = Dict::text();
        assert_eq!(t.intern("Saint-Denis"), (0, false));
        assert_eq!(t.intern("saint denis"), (1, false));
    }
}
