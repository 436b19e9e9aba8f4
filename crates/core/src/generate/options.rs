//! Generation options and their documented defaults.

use crate::dates::days_from_civil;
use crate::error::Error;

/// A customer segment and its behaviour.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SegmentSpec {
    /// Label (`Premium`).
    pub name: String,
    /// Share of customers (relative weight).
    pub weight: f64,
    /// Relative activity: how many sessions its customers have compared with others.
    pub activity: f64,
    /// Base probability that a session adds to cart.
    pub cart_rate: f64,
    /// Base probability that a session with a cart ends in a purchase.
    pub purchase_rate: f64,
    /// Mean basket in euros.
    pub basket_mean: f64,
}

/// An acquisition channel and how it shifts the funnel.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChannelSpec {
    /// Label (`SEO`).
    pub name: String,
    /// Share of customers (relative weight).
    pub weight: f64,
    /// Multiplier on the segment's cart rate.
    pub cart_multiplier: f64,
    /// Multiplier on the segment's purchase rate.
    pub purchase_multiplier: f64,
}

/// What to generate. Every field has a documented default (see [`Default`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct GenerateOptions {
    /// Number of customers (default 1,000).
    pub customers: u32,
    /// Number of interaction rows, exactly (default 5,000).
    pub interactions: u64,
    /// Random seed (default 42).
    pub seed: u64,
    /// First day of the period, days since 1970-01-01 (default 2025-01-01; an ISO
    /// date in JSON).
    #[serde(with = "crate::dates::iso_day")]
    pub from: i32,
    /// Last day of the period, inclusive (default 2025-03-31: 90 days).
    #[serde(with = "crate::dates::iso_day")]
    pub to: i32,
    /// Share of rows given a known defect, 0 to 0.5 (default 0).
    pub dirty: f64,
    /// Segments (default Premium 15 %, Standard 50 %, Basique 35 %).
    pub segments: Vec<SegmentSpec>,
    /// Acquisition channels (default SEO 35 %, Social 25 %, Email 20 %, Direct 20 %).
    pub channels: Vec<ChannelSpec>,
    /// Share of customers who opted in to marketing (default 0.62).
    pub consent_rate: f64,
    /// Mean age before clipping to 18–80 (default 41).
    pub age_mean: f64,
    /// Age standard deviation (default 14).
    pub age_sd: f64,
    /// Probability of one more page view in a session (default 0.55: 2.2 views on average).
    pub view_continue: f64,
    /// Spread of the log of basket values (default 0.5).
    pub basket_sigma: f64,
    /// Spread of the log of customer activity: higher gives heavier tails (default 1.3).
    pub activity_sigma: f64,
    /// Mean seconds between two events of a session (default 45).
    pub mean_gap_s: f64,
    /// Relative traffic per hour of the day, 0 h to 23 h.
    pub hour_weights: [f64; 24],
    /// Relative traffic per weekday, Monday to Sunday.
    pub weekday_weights: [f64; 7],
    /// Share of customers who sign up during the period (default 0.3); the others
    /// signed up in the `signup_history_days` before it.
    pub signup_in_period_share: f64,
    /// How far back signups before the period go, in days (default 730).
    pub signup_history_days: u32,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        let seg = |name: &str, weight, activity, cart_rate, purchase_rate, basket_mean| SegmentSpec {
            name: name.into(),
            weight,
            activity,
            cart_rate,
            purchase_rate,
            basket_mean,
        };
        let ch = |name: &str, weight, cart_multiplier, purchase_multiplier| ChannelSpec {
            name: name.into(),
            weight,
            cart_multiplier,
            purchase_multiplier,
        };
        Self {
            customers: 1_000,
            interactions: 5_000,
            seed: 42,
            from: days_from_civil(2025, 1, 1),
            to: days_from_civil(2025, 3, 31),
            dirty: 0.0,
            segments: vec![
                seg("Premium", 0.15, 1.8, 0.38, 0.62, 145.0),
                seg("Standard", 0.50, 1.0, 0.26, 0.48, 68.0),
                seg("Basique", 0.35, 0.6, 0.17, 0.36, 32.0),
            ],
            channels: vec![
                ch("SEO", 0.35, 1.0, 1.0),
                ch("Social", 0.25, 0.8, 0.85),
                ch("Email", 0.20, 1.3, 1.15),
                ch("Direct", 0.20, 1.15, 1.05),
            ],
            consent_rate: 0.62,
            age_mean: 41.0,
            age_sd: 14.0,
            view_continue: 0.55,
            basket_sigma: 0.5,
            activity_sigma: 1.3,
            mean_gap_s: 45.0,
            hour_weights: [
                2.0, 1.0, 0.6, 0.4, 0.4, 0.8, 2.0, 4.0, 6.0, 7.0, 7.5, 8.0, 9.0, 8.5, 7.5, 7.5, 8.0, 9.0, 10.5, 12.0,
                13.0, 12.0, 8.0, 4.0,
            ],
            weekday_weights: [0.95, 0.9, 0.92, 0.95, 1.0, 0.85, 0.75],
            signup_in_period_share: 0.3,
            signup_history_days: 730,
        }
    }
}

/// Largest sizes the engine accepts (row ids are 32-bit).
pub const MAX_ROWS: u64 = 100_000_000;

impl GenerateOptions {
    /// Configured probability that a session of (segment, channel) adds to cart.
    pub fn cart_rate(&self, segment: usize, channel: usize) -> f64 {
        (self.segments[segment].cart_rate * self.channels[channel].cart_multiplier).clamp(0.0, 1.0)
    }

    /// Configured probability that a session of (segment, channel) with a cart buys.
    pub fn purchase_rate(&self, segment: usize, channel: usize) -> f64 {
        (self.segments[segment].purchase_rate * self.channels[channel].purchase_multiplier).clamp(0.0, 1.0)
    }

    /// Checks the options, with a sentence naming the field that is wrong.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |field: &str, why: String| Err(Error::Options(format!("{field}: {why}")));
        if self.customers == 0 {
            return bad("customers", "must be at least 1".into());
        }
        if self.customers as u64 > MAX_ROWS {
            return bad("customers", format!("at most {MAX_ROWS}"));
        }
        if self.interactions > MAX_ROWS {
            return bad("interactions", format!("at most {MAX_ROWS}"));
        }
        if self.to < self.from {
            return bad("period", "the end date is before the start date".into());
        }
        if self.to - self.from > 3_660 {
            return bad("period", "generated data span at most ten years (files 200)".into());
        }
        if !(0.0..=0.5).contains(&self.dirty) {
            return bad("dirty", "must be between 0 and 0.5".into());
        }
        if self.segments.is_empty() || self.segments.len() > 64 {
            return bad("segments", "between 1 and 64 segments".into());
        }
        if self.channels.is_empty() || self.channels.len() > 64 {
            return bad("channels", "between 1 and 64 channels".into());
        }
        let rate = |x: f64| (0.0..=1.0).contains(&x);
        let positive = |x: f64| x.is_finite() && x > 0.0;
        let non_negative = |x: f64| x.is_finite() && x >= 0.0;
        for s in &self.segments {
            if !positive(s.weight) || !positive(s.activity) || !positive(s.basket_mean) {
                return bad(
                    "segments",
                    format!("{}: weight, activity and basket must be positive", s.name),
                );
            }
            if !rate(s.cart_rate) || !rate(s.purchase_rate) {
                return bad("segments", format!("{}: rates must be between 0 and 1", s.name));
            }
        }
        for c in &self.channels {
            if !positive(c.weight) || !non_negative(c.cart_multiplier) || !non_negative(c.purchase_multiplier) {
                return bad(
                    "channels",
                    format!("{}: weight must be positive, multipliers non-negative", c.name),
                );
            }
        }
        let names = |v: Vec<&str>| {
            let keys: Vec<String> = v.iter().map(|n| crate::text::category_key(n)).collect();
            keys.iter().any(|k| k.is_empty()) || (1..keys.len()).any(|i| keys[..i].contains(&keys[i]))
        };
        if names(self.segments.iter().map(|s| s.name.as_str()).collect()) {
            return bad("segments", "names must be non-empty and distinct".into());
        }
        if names(self.channels.iter().map(|s| s.name.as_str()).collect()) {
            return bad("channels", "names must be non-empty and distinct".into());
        }
        for (field, x) in [
            ("consent_rate", self.consent_rate),
            ("signup_in_period_share", self.signup_in_period_share),
        ] {
            if !rate(x) {
                return bad(field, "must be between 0 and 1".into());
            }
        }
        if !(0.0..=0.95).contains(&self.view_continue) {
            return bad("view_continue", "must be between 0 and 0.95".into());
        }
        if !(18.0..=80.0).contains(&self.age_mean) || !positive(self.age_sd) {
            return bad("age", "mean between 18 and 80, positive spread".into());
        }
        if !(0.0..=3.0).contains(&self.basket_sigma) || !(0.0..=4.0).contains(&self.activity_sigma) {
            return bad("sigma", "basket_sigma in 0–3, activity_sigma in 0–4".into());
        }
        if !positive(self.mean_gap_s) || self.mean_gap_s > 3_600.0 {
            return bad("mean_gap_s", "between 0 and 3600 seconds".into());
        }
        let weights_ok = |w: &[f64]| w.iter().all(|x| x.is_finite() && *x >= 0.0) && w.iter().any(|x| *x > 0.0);
        if !weights_ok(&self.hour_weights) || !weights_ok(&self.weekday_weights) {
            return bad(
                "rhythm",
                "hour and weekday weights must be non-negative, not all zero".into(),
            );
        }
        if self.signup_history_days == 0 {
            return bad("signup_history_days", "must be at least 1".into());
        }
        Ok(())
    }
}
