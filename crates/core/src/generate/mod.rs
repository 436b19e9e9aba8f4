//! The seeded generator: customers in real French communes and a session log that
//! follows the funnel page view → cart → purchase, written as the raw CSV files a
//! shop would export, optionally with known defects and their ground truth.

mod options;
mod write;

pub use write::id_width;
pub(crate) use write::{clients_header, interaction_header, ClientBlocks};

pub use options::{ChannelSpec, GenerateOptions, SegmentSpec};

use crate::communes;
use crate::dates::{self, DAY};
use crate::error::Error;
use crate::rng::{Alias, Packed, Rng, Weighted};
use std::collections::BTreeMap;

/// How many defects of each kind the generator injected into one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FileTruth {
    /// Rows that validation must reject, by rule.
    pub rejected: BTreeMap<String, u64>,
    /// Rows that validation must keep after correcting them, by rule.
    pub corrected: BTreeMap<String, u64>,
}

impl FileTruth {
    pub(crate) fn reject(&mut self, rule: &str) {
        *self.rejected.entry(rule.to_string()).or_default() += 1;
    }
    pub(crate) fn correct(&mut self, rule: &str) {
        *self.corrected.entry(rule.to_string()).or_default() += 1;
    }
}

/// The defects injected in dirty mode: what the cleaning report must find.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct GroundTruth {
    /// Defects of `clients.csv`.
    pub clients: FileTruth,
    /// Defects of `interactions.csv`.
    pub interactions: FileTruth,
}

/// The raw files a generation produces.
#[derive(Debug, Clone)]
pub struct RawData {
    /// `clients.csv`, with direct identifiers (synthetic prénom, nom, email).
    pub clients_csv: Vec<u8>,
    /// `interactions.csv`.
    pub interactions_csv: Vec<u8>,
    /// The defects injected (all zero when `dirty` is 0).
    pub truth: GroundTruth,
}

/// A generated customer, as codes.
#[derive(Clone, Default)]
pub(crate) struct Customer {
    pub age: u8,
    pub commune: u32,
    pub segment: u8,
    pub channel: u8,
    pub signup: i32,
    pub consent: bool,
    pub first_name: u16,
    pub last_name: u16,
    pub email_suffix: u16,
    pub email_provider: u8,
    /// How many sessions it has, relative to others.
    pub activity: f64,
}

/// The generated event log, sessions in start-time order.
pub(crate) struct EventLog {
    /// Customer of each session (in output order).
    pub session_customer: Vec<u32>,
    /// Index of each session's first event in the event arrays, and its length.
    pub session_events: Vec<(u32, u8)>,
    /// The events, each session's contiguous.
    pub events: Vec<Event>,
    /// Timestamp of the period's start: events count their seconds from it.
    pub base: i64,
}

/// One generated event in eight bytes (ten million of them are held at once; a
/// session's events are read together).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Event {
    /// Seconds since the period's start (ten years at most fit easily).
    offset: u32,
    /// Amount in cents (0 unless a purchase) above the action code in the low 2 bits.
    amount_action: u32,
}

/// The largest purchase amount the generator draws, in cents (about 10.7 million
/// euros; far above any basket the options can ask for).
const MAX_CENTS: u32 = (1 << 30) - 1;

impl Event {
    fn new(base: i64, ts: i64, amount: u32, action: u8) -> Self {
        Self {
            offset: (ts - base) as u32,
            amount_action: amount.min(MAX_CENTS) << 2 | action as u32,
        }
    }

    /// The timestamp, given the log's base.
    #[inline]
    pub fn ts(self, base: i64) -> i64 {
        base + self.offset as i64
    }

    /// Amount in cents.
    #[inline]
    pub fn amount(self) -> u32 {
        self.amount_action >> 2
    }

    /// Action code.
    #[inline]
    pub fn action(self) -> u8 {
        (self.amount_action & 3) as u8
    }
}

/// A session of a generation block: start (seconds since the period's start), customer,
/// and its first event in the block with its length in the top byte.
#[derive(Clone, Copy)]
struct BlockSession {
    start: u32,
    customer: u32,
    first_len: u32,
}

/// Events are generated in blocks of this many, each from its own random stream,
/// so that blocks can run in parallel and still give the same bytes.
const EVENT_BLOCK: u64 = 1 << 18;

/// Generates the raw files for `opts`; the same options give the same bytes everywhere.
pub fn generate(opts: &GenerateOptions) -> Result<RawData, Error> {
    generate_with_progress(opts, &mut |_| {})
}

/// [`generate`], reporting progress as a fraction in `[0, 1]`.
pub fn generate_with_progress(opts: &GenerateOptions, progress: &mut dyn FnMut(f64)) -> Result<RawData, Error> {
    let gen = Generated::new(opts, progress)?;
    let mut interactions_csv = Vec::with_capacity(gen.log.events.len() * 64 + 128);
    let chunks = gen.interaction_chunks();
    for (k, text) in crate::par::map(chunks.count(), |k| chunks.render(k))
        .into_iter()
        .enumerate()
    {
        interactions_csv.extend_from_slice(&text);
        progress(0.6 + 0.4 * (k + 1) as f64 / chunks.count() as f64);
    }
    let truth = GroundTruth {
        clients: gen.clients_truth.clone(),
        interactions: chunks.truth(),
    };
    Ok(RawData {
        clients_csv: gen.clients.file(),
        interactions_csv,
        truth,
    })
}

/// Customers and events generated, the clients file written, the interactions
/// file ready to be rendered piece by piece (see [`write::InteractionChunks`]).
pub(crate) struct Generated<'o> {
    pub opts: &'o GenerateOptions,
    /// The clients file's rows, in blocks.
    pub clients: ClientBlocks,
    pub clients_truth: FileTruth,
    pub log: EventLog,
}

impl<'o> Generated<'o> {
    /// Generates customers and events and writes the clients file.
    pub fn new(opts: &'o GenerateOptions, progress: &mut dyn FnMut(f64)) -> Result<Self, Error> {
        Ok(Self::with_clients(opts, progress, |_| ())?.0)
    }

    /// [`Generated::new`], handing the clients file's rows to `read` as soon as they
    /// are written, while the events are still being drawn (on other threads).
    pub fn with_clients<R: Send>(
        opts: &'o GenerateOptions,
        progress: &mut dyn FnMut(f64),
        read: impl FnOnce(&ClientBlocks) -> R,
    ) -> Result<(Self, R), Error> {
        opts.validate()?;
        // The stage begins now (the CLI times stages from their first report).
        progress(0.0);
        let customers = customers(opts);
        progress(0.1);
        let (log, (clients, clients_truth, r)) = crate::par::join(
            || events(opts, &customers),
            || {
                let (blocks, truth) = write::clients_csv(opts, &customers);
                let r = read(&blocks);
                (blocks, truth, r)
            },
        );
        progress(0.6);
        Ok((
            Self {
                opts,
                clients,
                clients_truth,
                log,
            },
            r,
        ))
    }

    /// The interactions file, as independently renderable pieces.
    pub fn interaction_chunks(&self) -> write::InteractionChunks<'_> {
        write::InteractionChunks::new(self.opts, &self.log)
    }
}

/// Customers are drawn in blocks of this many, each block from its own random
/// stream, so that blocks can run in parallel and still give the same bytes.
const CUSTOMER_BLOCK: usize = 1 << 16;

/// Random stream of customer block `k` (apart from every other stream of a seed).
fn customer_stream(k: usize) -> u64 {
    1 << 36 | k as u64
}

fn customers(opts: &GenerateOptions) -> Vec<Customer> {
    use fake::locales::{Data, FR_FR};
    let towns = communes::all();
    let by_population = Weighted::from_ints(towns.iter().map(|c| c.population as u64));
    let segments = Weighted::from_f64(&opts.segments.iter().map(|s| s.weight).collect::<Vec<_>>());
    let channels = Weighted::from_f64(&opts.channels.iter().map(|c| c.weight).collect::<Vec<_>>());
    let period_days = (opts.to - opts.from + 1) as u64;
    let (all, _) = crate::par::fill(opts.customers as usize, CUSTOMER_BLOCK, |k, block| {
        let mut rng = Rng::new(opts.seed, customer_stream(k));
        while block.len() < block.capacity() {
            let age = loop {
                let a = libm::round(opts.age_mean + opts.age_sd * rng.normal());
                if (18.0..=80.0).contains(&a) {
                    break a as u8;
                }
            };
            let commune = by_population.as_ref().map_or(0, |w| w.sample(&mut rng) as u32);
            let segment = segments.as_ref().map_or(0, |w| w.sample(&mut rng) as u8);
            let channel = channels.as_ref().map_or(0, |w| w.sample(&mut rng) as u8);
            let signup = if rng.chance(opts.signup_in_period_share) {
                opts.from + rng.below(period_days) as i32
            } else {
                opts.from - 1 - rng.below(opts.signup_history_days as u64) as i32
            };
            block.push(Customer {
                age,
                commune,
                segment,
                channel,
                signup,
                consent: rng.chance(opts.consent_rate),
                first_name: rng.below(FR_FR::NAME_FIRST_NAME.len() as u64) as u16,
                last_name: rng.below(FR_FR::NAME_LAST_NAME.len() as u64) as u16,
                email_suffix: rng.below(100) as u16,
                email_provider: rng.below(FR_FR::INTERNET_FREE_EMAIL_PROVIDER.len() as u64) as u8,
                activity: libm::exp(opts.activity_sigma * rng.normal()) * opts.segments[segment as usize].activity,
            });
        }
    });
    all
}

fn events(opts: &GenerateOptions, customers: &[Customer]) -> EventLog {
    let activity: Vec<f64> = customers.iter().map(|c| c.activity).collect();
    let model = SessionModel {
        opts,
        pick: Alias::new(&activity).map(|a| {
            a.packed(|i| {
                let c = &customers[i as usize];
                Pick {
                    signup: c.signup,
                    segment: c.segment,
                    channel: c.channel,
                }
            })
        }),
        hours: Weighted::from_f64(&opts.hour_weights),
        max_weekday: opts.weekday_weights.iter().cloned().fold(0.0, f64::max),
        period_start: opts.from as i64 * DAY,
        period_end: (opts.to as i64 + 1) * DAY,
    };
    // Each block fills its own slice of the event array (blocks hold exactly
    // EVENT_BLOCK events, the last one the rest) and sorts its sessions by start
    // (a stable sort: ties stay in creation order).
    let (events, parts) = crate::par::fill(opts.interactions as usize, EVENT_BLOCK as usize, |k, slice| {
        let mut sessions = model.block(k as u64, slice);
        sort_by_start(&mut sessions);
        sessions
    });
    let (session_customer, session_events) = merge_blocks(&parts);
    EventLog {
        session_customer,
        session_events,
        events,
        base: model.period_start,
    }
}

/// Sorts sessions by start, ties kept in their order: a radix sort, 12 bits of the
/// start at a time from the lowest (two passes for a period of up to 194 days).
fn sort_by_start(sessions: &mut Vec<BlockSession>) {
    const BITS: u32 = 12;
    let max = sessions.iter().map(|s| s.start).max().unwrap_or(0);
    let mut other = sessions.clone();
    let mut shift = 0;
    while shift < 32 && max >> shift > 0 {
        let digit = |s: &BlockSession| (s.start >> shift) as usize & ((1 << BITS) - 1);
        let mut at = vec![0usize; 1 << BITS];
        for s in sessions.iter() {
            at[digit(s)] += 1;
        }
        let mut sum = 0;
        for a in at.iter_mut() {
            (*a, sum) = (sum, sum + *a);
        }
        for s in sessions.iter() {
            let d = digit(s);
            other[at[d]] = *s;
            at[d] += 1;
        }
        std::mem::swap(sessions, &mut other);
        shift += BITS;
    }
}

/// Merges the blocks' sessions (each block's sorted by start) into start order, ties
/// in creation order (block by block): per session its customer, and its first event
/// and length. Where threads exist, the sessions before and after the median start
/// are merged at once, each half into its own part of the result.
fn merge_blocks(parts: &[Vec<BlockSession>]) -> (Vec<u32>, Vec<(u32, u8)>) {
    let total: usize = parts.iter().map(Vec::len).sum();
    let mut customers = vec![0u32; total];
    let mut events = vec![(0u32, 0u8); total];
    // Split at a start time that leaves about half of the sessions before it.
    let split = if crate::par::threads() > 1 && total > 0 {
        let mut starts: Vec<u32> = parts
            .iter()
            .flat_map(|p| p.iter().step_by(64).map(|s| s.start))
            .collect();
        let mid = starts.len() / 2;
        *starts.select_nth_unstable(mid).1
    } else {
        u32::MAX
    };
    let before: Vec<usize> = parts.iter().map(|p| p.partition_point(|s| s.start < split)).collect();
    let n = before.iter().sum();
    let (c0, c1) = customers.split_at_mut(n);
    let (e0, e1) = events.split_at_mut(n);
    crate::par::join(
        || merge_range(parts, &vec![0; parts.len()], &before, c0, e0),
        || merge_range(parts, &before, &parts.iter().map(Vec::len).collect::<Vec<_>>(), c1, e1),
    );
    (customers, events)
}

/// Merges `parts[k][from[k]..to[k]]` of every block `k` into `customers` and `events`
/// (exactly as long as that): a heap of the blocks' next sessions, keyed by start
/// then block.
fn merge_range(
    parts: &[Vec<BlockSession>],
    from: &[usize],
    to: &[usize],
    customers: &mut [u32],
    events: &mut [(u32, u8)],
) {
    let key = |k: usize, i: usize| match parts[k].get(i).filter(|_| i < to[k]) {
        Some(s) => (s.start as u64) << 32 | k as u64,
        None => u64::MAX,
    };
    let mut next = from.to_vec();
    let mut heap: Vec<u64> = (0..parts.len()).map(|k| key(k, next[k])).collect();
    heap.sort_unstable();
    for (c, e) in customers.iter_mut().zip(events.iter_mut()) {
        let top = heap[0];
        let k = (top & 0xFFFF_FFFF) as usize;
        let s = parts[k][next[k]];
        *c = s.customer;
        *e = (
            (k as u64 * EVENT_BLOCK) as u32 + (s.first_len & 0x00FF_FFFF),
            (s.first_len >> 24) as u8,
        );
        next[k] += 1;
        // Replace the top with the block's next session and sift it down.
        heap[0] = key(k, next[k]);
        let mut at = 0;
        loop {
            let (l, r) = (2 * at + 1, 2 * at + 2);
            let smallest = match (heap.get(l), heap.get(r)) {
                (Some(&a), Some(&b)) => {
                    if a <= b {
                        l
                    } else {
                        r
                    }
                }
                (Some(_), None) => l,
                _ => break,
            };
            if heap[smallest] >= heap[at] {
                break;
            }
            heap.swap(at, smallest);
            at = smallest;
        }
    }
}

/// How many sessions ahead a session's customer is drawn (see [`SessionModel::block`]).
const PICK_AHEAD: usize = 4;

/// What a session needs of its customer, kept in the draw table beside the weights.
#[derive(Clone, Copy)]
struct Pick {
    signup: i32,
    segment: u8,
    channel: u8,
}

/// What a session draw needs, shared by all blocks.
struct SessionModel<'a> {
    opts: &'a GenerateOptions,
    pick: Option<Packed<Pick>>,
    hours: Option<Weighted>,
    max_weekday: f64,
    period_start: i64,
    period_end: i64,
}

impl SessionModel<'_> {
    /// Draws sessions until `events` is full (the last session may be cut short);
    /// returns the sessions.
    fn block(&self, k: u64, events: &mut crate::par::Filler<Event>) -> Vec<BlockSession> {
        let opts = self.opts;
        let quota = events.capacity();
        let mut rng = Rng::new(opts.seed, 1_000 + k);
        let mut sessions = Vec::with_capacity(quota / 3 + 1);
        let Some(pick) = self.pick.as_ref() else {
            // Nobody to draw (no customer has any activity): no session uses these
            // events, the slots only need a value.
            while events.len() < quota {
                events.push(Event::default());
            }
            return sessions;
        };
        // Each session's customer slot is drawn a few sessions ahead and fetched
        // meanwhile: the table is large and the index random.
        let mut ahead = [0u32; PICK_AHEAD];
        for a in &mut ahead {
            *a = pick.index(&mut rng);
            pick.prefetch(*a);
        }
        let mut turn = 0;
        while events.len() < quota {
            let i = std::mem::replace(&mut ahead[turn], pick.index(&mut rng));
            pick.prefetch(ahead[turn]);
            turn = (turn + 1) % PICK_AHEAD;
            let (c, cust) = pick.slot(i).resolve(&mut rng);
            let first_day = cust.signup.max(opts.from);
            let days = (opts.to - first_day + 1) as u64;
            // Weekly rhythm by rejection (bounded, in case the period only has zero-weight days).
            let mut day = first_day;
            for _ in 0..64 {
                day = first_day + rng.below(days) as i32;
                if rng.f64() * self.max_weekday < opts.weekday_weights[dates::weekday(day) as usize] {
                    break;
                }
            }
            let hour = self.hours.as_ref().map_or(12, |h| h.sample(&mut rng)) as i64;
            let start = day as i64 * DAY + hour * 3600 + rng.below(3600) as i64;
            let seg = &opts.segments[cust.segment as usize];
            let mut views = 1u32;
            while views < 30 && rng.chance(opts.view_continue) {
                views += 1;
            }
            let cart = rng.chance(opts.cart_rate(cust.segment as usize, cust.channel as usize));
            let buy = cart && rng.chance(opts.purchase_rate(cust.segment as usize, cust.channel as usize));
            let steps = (0..views).map(|_| 0u8).chain(cart.then_some(1)).chain(buy.then_some(2));
            let first = events.len() as u32;
            let mut t = start;
            let mut len = 0u8;
            for step in steps {
                if events.len() == quota || t >= self.period_end {
                    break;
                }
                let amount = if step == 2 {
                    let euros = rng.lognormal_mean(seg.basket_mean, opts.basket_sigma);
                    (libm::round(euros * 100.0) as u32).clamp(100, MAX_CENTS)
                } else {
                    0
                };
                events.push(Event::new(self.period_start, t, amount, step));
                len += 1;
                t += 1 + libm::floor(rng.exponential(opts.mean_gap_s)) as i64;
            }
            sessions.push(BlockSession {
                start: (start - self.period_start) as u32,
                customer: c,
                first_len: first | (len as u32) << 24,
            });
        }
        sessions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_sort_by_start_as_a_stable_sort_does() {
        let fields = |v: &[BlockSession]| v.iter().map(|s| (s.start, s.customer, s.first_len)).collect::<Vec<_>>();
        let mut x = 99u64;
        for (count, range) in [
            (0usize, 1u64),
            (1, 10),
            (5_000, 50),
            (5_000, 7_776_000),
            (5_000, 1 << 32),
        ] {
            let mut sessions: Vec<BlockSession> = (0..count as u32)
                .map(|k| {
                    x = x
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    BlockSession {
                        start: ((x >> 16) % range) as u32,
                        customer: k,
                        first_len: k,
                    }
                })
                .collect();
            let mut expected = sessions.clone();
            expected.sort_by_key(|s| s.start);
            sort_by_start(&mut sessions);
            assert_eq!(fields(&sessions), fields(&expected), "{count} sessions below {range}");
        }
    }

    #[test]
    fn exact_row_counts_and_same_bytes_for_same_seed() {
        let opts = GenerateOptions {
            customers: 300,
            interactions: 2_000,
            ..GenerateOptions::default()
        };
        let a = generate(&opts).unwrap();
        let b = generate(&opts).unwrap();
        assert_eq!(a.interactions_csv, b.interactions_csv);
        assert_eq!(a.clients_csv, b.clients_csv);
        assert_eq!(a.interactions_csv.iter().filter(|&&c| c == b'\n').count(), 2_001);
        assert_eq!(a.clients_csv.iter().filter(|&&c| c == b'\n').count(), 301);
        let c = generate(&GenerateOptions { seed: 43, ..opts }).unwrap();
        assert_ne!(a.interactions_csv, c.interactions_csv);
    }
}
