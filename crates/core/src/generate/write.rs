//! Writes the generated customers and events as raw CSV, injecting defects in dirty mode.

use super::{Customer, EventLog, FileTruth, GenerateOptions};
use crate::communes;
use crate::dates::{write_date, write_timestamp, DAY};
use crate::rng::Rng;
use crate::rules;
use crate::text::{fold_accent, push_cents, push_int, push_padded, push_text};

/// Digits of an id column sized to `count` (at least 4, as in the original demo's `C_0001`).
pub fn id_width(count: u64) -> usize {
    count.max(1).to_string().len().max(4)
}

const CLIENT_HEADER: &[u8] = b"client_id,age,ville,segment,canal_acquisition,code_postal,departement,\
date_inscription,consentement_marketing,prenom,nom,email\n";
const INTERACTION_HEADER: &[u8] = b"interaction_id,client_id,session_id,type_action,valeur_achat,horodatage\n";

fn pick<'a>(rng: &mut Rng, options: &[&'a str]) -> &'a str {
    options[rng.below(options.len() as u64) as usize]
}

/// A spelling of `label` that normalises back to it but is not identical.
fn misspell(rng: &mut Rng, label: &str) -> String {
    let mut variants = vec![
        label.to_uppercase(),
        format!(" {}", label.to_lowercase()),
        format!("{label} "),
    ];
    if label.eq_ignore_ascii_case("email") {
        variants.push("E-mail".into());
    }
    variants.retain(|v| v != label);
    variants.swap_remove(rng.below(variants.len() as u64) as usize)
}

fn ascii_name(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(fold_accent)
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

pub(super) fn clients_csv(opts: &GenerateOptions, customers: &[Customer], truth: &mut FileTruth) -> Vec<u8> {
    use fake::locales::{Data, FR_FR};
    let towns = communes::all();
    let width = id_width(customers.len() as u64);
    let mut rng = Rng::new(opts.seed, 3);
    let mut out = Vec::with_capacity(customers.len() * 110 + 200);
    out.extend_from_slice(CLIENT_HEADER);
    let mut row = Vec::with_capacity(256);
    for (i, c) in customers.iter().enumerate() {
        let defect = (opts.dirty > 0.0 && rng.chance(opts.dirty)).then(|| rng.below(4));
        let town = &towns[c.commune as usize];
        let write_row = |row: &mut Vec<u8>, segment: &str, channel: &str, age: u8| {
            row.clear();
            row.extend_from_slice(b"C_");
            push_padded(row, i as u64 + 1, width);
            row.push(b',');
            push_int(row, age as i64);
            row.push(b',');
            push_text(row, town.nom.as_bytes());
            row.push(b',');
            push_text(row, segment.as_bytes());
            row.push(b',');
            push_text(row, channel.as_bytes());
            row.push(b',');
            row.extend_from_slice(town.code_postal.as_bytes());
            row.push(b',');
            row.extend_from_slice(town.departement.as_bytes());
            row.push(b',');
            write_date(row, c.signup);
            row.extend_from_slice(if c.consent { b",true," } else { b",false," });
            let first = FR_FR::NAME_FIRST_NAME[c.first_name as usize];
            let last = FR_FR::NAME_LAST_NAME[c.last_name as usize];
            push_text(row, first.as_bytes());
            row.push(b',');
            push_text(row, last.as_bytes());
            row.push(b',');
            row.extend_from_slice(ascii_name(first).as_bytes());
            row.push(b'.');
            row.extend_from_slice(ascii_name(last).as_bytes());
            if c.email_suffix < 60 {
                push_int(row, c.email_suffix as i64);
            }
            row.push(b'@');
            row.extend_from_slice(FR_FR::INTERNET_FREE_EMAIL_PROVIDER[c.email_provider as usize].as_bytes());
            row.push(b'\n');
        };
        let segment = opts.segments[c.segment as usize].name.as_str();
        let channel = opts.channels[c.channel as usize].name.as_str();
        match defect {
            Some(2) => {
                truth.correct(rules::SEGMENT_SPELLING);
                write_row(&mut row, &misspell(&mut rng, segment), channel, c.age);
            }
            Some(3) => {
                truth.correct(rules::CHANNEL_SPELLING);
                write_row(&mut row, segment, &misspell(&mut rng, channel), c.age);
            }
            _ => write_row(&mut row, segment, channel, c.age),
        }
        out.extend_from_slice(&row);
        match defect {
            // An exact copy of the row, appended: the customer itself is kept once.
            Some(0) => {
                truth.reject(rules::DUPLICATE_ROW);
                out.extend_from_slice(&row);
            }
            // The same id with other content (another age).
            Some(1) => {
                truth.reject(rules::DUPLICATE_ID);
                let age = if c.age < 80 { c.age + 1 } else { c.age - 1 };
                write_row(&mut row, segment, channel, age);
                out.extend_from_slice(&row);
            }
            _ => {}
        }
    }
    out
}

/// The defects an interaction row can carry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Defect {
    DuplicateRow,
    DuplicateId,
    MissingClient,
    UnknownClient,
    InvalidAmount,
    NegativeAmount,
    InvalidDate,
    OutOfPeriod,
    ActionSpelling,
    AmountOnView,
}

pub(super) fn interactions_csv(opts: &GenerateOptions, log: &EventLog, truth: &mut FileTruth) -> Vec<u8> {
    let n = log.action.len();
    let id_w = id_width(opts.interactions);
    let client_w = id_width(opts.customers as u64);
    let session_w = id_width(log.session_events.len() as u64);
    let mut rng = Rng::new(opts.seed, 4);
    let mut out = Vec::with_capacity(n * 72 + 100);
    out.extend_from_slice(INTERACTION_HEADER);
    let mut row_no = 0u64;
    let mut prev_start = out.len();
    let mut prev_clean = false;
    for (s, (&customer, &(first, len))) in log.session_customer.iter().zip(&log.session_events).enumerate() {
        for e in first as usize..first as usize + len as usize {
            let action = log.action[e];
            let defect = if prev_clean && opts.dirty > 0.0 && rng.chance(opts.dirty) {
                let mut kinds = vec![
                    Defect::DuplicateRow,
                    Defect::DuplicateId,
                    Defect::MissingClient,
                    Defect::UnknownClient,
                    Defect::InvalidDate,
                    Defect::OutOfPeriod,
                    Defect::ActionSpelling,
                ];
                match action {
                    2 => kinds.extend([Defect::InvalidAmount, Defect::NegativeAmount]),
                    0 => kinds.push(Defect::AmountOnView),
                    _ => {}
                }
                Some(kinds[rng.below(kinds.len() as u64) as usize])
            } else {
                None
            };
            let start = out.len();
            if defect == Some(Defect::DuplicateRow) {
                truth.reject(rules::DUPLICATE_ROW);
                out.extend_from_within(prev_start..start);
            } else {
                let id = if defect == Some(Defect::DuplicateId) {
                    row_no
                } else {
                    row_no + 1
                };
                out.extend_from_slice(b"I_");
                push_padded(&mut out, id, id_w);
                out.push(b',');
                match defect {
                    Some(Defect::MissingClient) => {}
                    Some(Defect::UnknownClient) => {
                        let c = opts.customers as u64;
                        out.extend_from_slice(b"C_");
                        push_padded(&mut out, c + 1 + rng.below(c), client_w);
                    }
                    _ => {
                        out.extend_from_slice(b"C_");
                        push_padded(&mut out, customer as u64 + 1, client_w);
                    }
                }
                out.extend_from_slice(b",S_");
                push_padded(&mut out, s as u64 + 1, session_w);
                out.push(b',');
                let label = crate::model::Action::from_code(action).label();
                if defect == Some(Defect::ActionSpelling) {
                    push_text(&mut out, misspell(&mut rng, label).as_bytes());
                } else {
                    out.extend_from_slice(label.as_bytes());
                }
                out.push(b',');
                match defect {
                    Some(Defect::InvalidAmount) => {
                        out.extend_from_slice(pick(&mut rng, &["N/A", "abc", "12.3.4", "douze"]).as_bytes())
                    }
                    Some(Defect::NegativeAmount) => push_cents(&mut out, -(log.amount[e] as i64)),
                    Some(Defect::AmountOnView) => push_cents(&mut out, 100 + rng.below(20_000) as i64),
                    _ if action == 2 => push_cents(&mut out, log.amount[e] as i64),
                    _ => {}
                }
                out.push(b',');
                match defect {
                    Some(Defect::InvalidDate) => out.extend_from_slice(
                        pick(
                            &mut rng,
                            &["2025-02-30T10:00:00", "hier", "31/02/2025", "2025-13-01T08:00:00"],
                        )
                        .as_bytes(),
                    ),
                    Some(Defect::OutOfPeriod) => {
                        // Same time of day, 1–365 days before the period or 1–60 days after it.
                        let day = log.ts[e].div_euclid(DAY);
                        let shift_days = if rng.chance(0.5) {
                            -(day - opts.from as i64 + 1 + rng.below(365) as i64)
                        } else {
                            opts.to as i64 - day + 1 + rng.below(60) as i64
                        };
                        write_timestamp(&mut out, log.ts[e] + shift_days * DAY);
                    }
                    _ => write_timestamp(&mut out, log.ts[e]),
                }
                out.push(b'\n');
                match defect {
                    Some(Defect::DuplicateId) => truth.reject(rules::DUPLICATE_ID),
                    Some(Defect::MissingClient) => truth.reject(rules::MISSING_CLIENT_ID),
                    Some(Defect::UnknownClient) => truth.reject(rules::UNKNOWN_CLIENT),
                    Some(Defect::InvalidAmount) => truth.reject(rules::INVALID_AMOUNT),
                    Some(Defect::NegativeAmount) => truth.reject(rules::NON_POSITIVE_AMOUNT),
                    Some(Defect::InvalidDate) => truth.reject(rules::INVALID_DATE),
                    Some(Defect::OutOfPeriod) => truth.reject(rules::OUT_OF_PERIOD),
                    Some(Defect::ActionSpelling) => truth.correct(rules::ACTION_SPELLING),
                    Some(Defect::AmountOnView) => truth.correct(rules::AMOUNT_ON_NON_PURCHASE),
                    _ => {}
                }
            }
            prev_start = start;
            prev_clean = defect.is_none();
            row_no += 1;
        }
    }
    out
}
