//! The names of the validation rules: shared by the cleaner, its report, the
//! generator's ground truth and `rejects.csv`.

/// A row whose every cell is empty (Excel writes such rows, `;;;;`, below a table).
pub const EMPTY_ROW: &str = "empty_row";
/// A row that repeats the header (two exports put end to end).
pub const REPEATED_HEADER: &str = "repeated_header";
/// A row whose field count differs from the header's.
pub const WRONG_FIELD_COUNT: &str = "wrong_field_count";
/// An empty `client_id`.
pub const MISSING_CLIENT_ID: &str = "missing_client_id";
/// An exact copy of an earlier row of the same file.
pub const DUPLICATE_ROW: &str = "duplicate_row";
/// An id already used by an earlier, different row.
pub const DUPLICATE_ID: &str = "duplicate_id";
/// An age that is missing, not a whole number, or outside 0–120.
pub const INVALID_AGE: &str = "invalid_age";
/// An empty segment.
pub const MISSING_SEGMENT: &str = "missing_segment";
/// An empty acquisition channel.
pub const MISSING_CHANNEL: &str = "missing_channel";
/// A date that is missing or cannot be read.
pub const INVALID_DATE: &str = "invalid_date";
/// A consent value that is neither yes nor no.
pub const INVALID_CONSENT: &str = "invalid_consent";
/// An empty `interaction_id`.
pub const MISSING_INTERACTION_ID: &str = "missing_interaction_id";
/// A `client_id` whose customer row was rejected (see the clients file's rejects).
pub const REJECTED_CLIENT: &str = "rejected_client";
/// A `client_id` that no row of the clients file has (an orphan).
pub const UNKNOWN_CLIENT: &str = "unknown_client";
/// A `type_action` that is not a page view, cart or purchase.
pub const UNKNOWN_ACTION: &str = "unknown_action";
/// A timestamp outside the analysis period.
pub const OUT_OF_PERIOD: &str = "out_of_period";
/// A purchase amount that is not a number.
pub const INVALID_AMOUNT: &str = "invalid_amount";
/// A purchase amount that is zero or negative.
pub const NON_POSITIVE_AMOUNT: &str = "non_positive_amount";
/// A purchase without an amount.
pub const MISSING_AMOUNT: &str = "missing_amount";
/// An empty `session_id` in a file that has the column.
pub const MISSING_SESSION_ID: &str = "missing_session_id";

/// Correction: an empty age, kept as unknown (age band `unknown`).
pub const MISSING_AGE: &str = "missing_age";
/// Correction: a postcode or département that lost its leading zero in a spreadsheet
/// (`1000`, `1`), given it back (`01000`, `01`); a row with both counts once.
pub const LEADING_ZERO: &str = "leading_zero";
/// Correction: a département missing beside a French postcode, taken from it
/// (`69001` → `69`, `20167` → `2A`, `97411` → `974`).
pub const DEPARTEMENT_FROM_POSTCODE: &str = "departement_from_postcode";
/// Correction: a segment spelled another way (`PREMIUM`).
pub const SEGMENT_SPELLING: &str = "segment_spelling";
/// Correction: a channel spelled another way (` seo`, `E-mail`).
pub const CHANNEL_SPELLING: &str = "channel_spelling";
/// Correction: an action spelled another way (`ACHAT`).
pub const ACTION_SPELLING: &str = "action_spelling";
/// Correction: an amount on a page view or cart row, which is kept without it.
pub const AMOUNT_ON_NON_PURCHASE: &str = "amount_on_non_purchase";
/// Correction: a purchase amount finer than the cent (`19.9999`, `1099.999`), rounded to it.
pub const AMOUNT_ROUNDED: &str = "amount_rounded";
/// Kept as it is: in a file without `interaction_id`, a copy of an earlier row whose
/// time is not to the second (two page views in the same minute read alike).
pub const REPEATED_ROW: &str = "repeated_row";
