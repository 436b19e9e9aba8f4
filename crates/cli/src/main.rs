//! `numberly`: the engine on the command line. A thin layer: parse flags, call
//! `numberly-core`, write files, report progress on stderr.

#[cfg(target_os = "linux")]
mod alloc;
mod direct;

#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOC: alloc::HugePages = alloc::HugePages;

use numberly_core::clean::CleanOptions;
use numberly_core::export::export_with_metrics;
use numberly_core::generate::{generate_with_progress, ChannelSpec, GenerateOptions};
use numberly_core::ingest::{CsvFile, ReadAt, Streamed};
use numberly_core::metrics::{compute, Filter};
use numberly_core::pipeline::{cleaned, Source};
use numberly_core::privacy::PrivacyOptions;
use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

const USAGE: &str = "\
numberly — privacy-first marketing data pipeline (generator, ETL, metrics, CSV export)

USAGE:
  numberly generate [GENERATE OPTIONS] --out DIR
      Writes the raw (possibly dirty) clients.csv and interactions.csv.
  numberly run [GENERATE OPTIONS] --out DIR
  numberly run --clients FILE --interactions FILE [--from DATE --to DATE] --out DIR
      Generates (or reads) the data, cleans it, computes every metric and writes
      every output file plus manifest.json into DIR.

GENERATE OPTIONS:
  --customers N       number of customers (default 1000)
  --interactions M    number of interaction rows, exactly (default 5000)
  --seed S            random seed (default 42)
  --from DATE         first day of the period, YYYY-MM-DD (default 2025-01-01; with
                      --clients/--interactions, the files' first date)
  --to DATE           last day of the period, inclusive (default 2025-03-31; with files,
                      their last date). Rows outside it are rejected (out_of_period).
                      Generated data span ten years at most, files 200 years
  --dirty R           share of rows given a known defect, 0 to 0.5 (default 0)
  --channels LIST     acquisition channels and their weights, e.g. SEO:35,Social:25,Email:20,Direct:20
                      (the default); a new channel gets neutral funnel multipliers
  --consent-rate R    share of customers opted in to marketing (default 0.62)

COLUMNS (with --clients/--interactions):
  --map-clients H=COL       read the clients file's header cell H as column COL
                            (client_id, age, ville, segment, …); `H=` ignores H. Repeatable.
  --map-interactions H=COL  the same for the interactions file
  --absent LIST             required clients columns the file does not have, among age,
                            segment, canal_acquisition: every customer then has no age, or
                            the segment or channel `unknown` (e.g. --absent segment,age);
                            for a column the file has, its empty cells read so (instead of
                            the row being rejected)

PRIVACY (identifier columns, found by name or content, are always dropped):
  --pseudonymise      replace client_id by HMAC-SHA-256 pseudonyms (default with --clients)
  --no-pseudonymise   keep client_id as it is (default for generated data)
  --passphrase-file F derive the pseudonym key from the passphrase in F (first line), so the
                      page and the CLI give the same pseudonyms; NUMBERLY_PASSPHRASE also
                      works (the file wins if both are given). Without one the key is
                      random and forgotten after the run.
  --age-bands         write age bands (25-34) instead of ages
  --departement-only  write the département only, not the commune and postcode
  --k K               k-anonymity threshold: aggregated rows counting fewer than K
                      customers are blanked and flagged (default 5; 1 turns it off)
  --consent-only      keep customers without marketing consent out of customer-level files

OTHER:
  --excel-fr          also write a copy of each CSV for French Excel (`;`, decimal comma,
                      byte order mark), as kpis_excel_fr.csv beside kpis.csv; not of files
                      with more rows than Excel opens (1,048,576)
  --quiet             nothing on stderr but errors (no progress, counts or notes)
  -h, --help          this help
  -V, --version       the version

EXIT CODES: 0 done; 1 an input or output failed (a file unreadable or unusable; a
file that keeps no row exits 1 too, once the outputs are written); 2 a command line
that cannot be run (an unknown option, a value out of range), with nothing written.
";

struct Args {
    command: String,
    gen: GenerateOptions,
    clients: Option<PathBuf>,
    interactions: Option<PathBuf>,
    from: Option<i32>,
    to: Option<i32>,
    out: Option<PathBuf>,
    quiet: bool,
    excel_fr: bool,
    privacy: PrivacyOptions,
    mapping: [BTreeMap<String, String>; 2],
    absent: Vec<String>,
    /// `--passphrase-file`: read once the command line is found sound (see
    /// [`read_passphrase`]).
    passphrase_file: Option<PathBuf>,
}

fn parse_day(flag: &str, v: &str) -> Result<i32, String> {
    // ISO only: `01/02/2025` reads as 1 February in French and 2 January in English.
    if let Some(day) = numberly_core::dates::parse_iso_day(v) {
        return Ok(day);
    }
    // Shaped as one, and refused all the same: a year out of range, a day that does
    // not exist.
    Err(if numberly_core::dates::iso_shaped(v) && v < "1000" {
        format!("{flag}: `{v}`: years 1000 to 9999 only")
    } else if numberly_core::dates::iso_shaped(v) {
        format!("{flag}: `{v}` is not a day of the calendar")
    } else {
        format!("{flag}: expected a date written YYYY-MM-DD (e.g. 2025-01-31), got `{v}`")
    })
}

fn parse_num<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
    let digits = v.replace('_', "");
    digits.parse().map_err(|_| {
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            format!("{flag}: `{v}` is too large")
        } else if digits.parse::<f64>().is_ok() && "0".parse::<T>().is_ok() && "0.5".parse::<T>().is_err() {
            // (The options whose 0 is refused say so here too.)
            let least = if ["--customers", "--k"].contains(&flag) { 1 } else { 0 };
            format!("{flag}: expected a whole number of at least {least}, got `{v}`")
        } else {
            format!("{flag}: expected a number, got `{v}`")
        }
    })
}

/// `SEO:35,Social:25`: names with weights; known channels keep their funnel multipliers.
fn parse_channels(v: &str, known: &[ChannelSpec]) -> Result<Vec<ChannelSpec>, String> {
    let syntax = || {
        format!("--channels: expected names with weights, NAME:WEIGHT,NAME:WEIGHT… (e.g. SEO:35,Social:25), got `{v}`")
    };
    v.split(',')
        .map(|item| {
            if item.contains([';', '=']) {
                return Err(syntax());
            }
            let (name, weight) = item.rsplit_once(':').ok_or_else(|| {
                format!(
                    "--channels: `{}` has no weight (NAME:WEIGHT, e.g. SEO:35,Social:25)",
                    item.trim()
                )
            })?;
            let name = name.trim().to_string();
            if name.is_empty() || name.contains([':', ';', '=']) {
                return Err(syntax());
            }
            let weight: f64 = weight.trim().parse().map_err(|_| syntax())?;
            if !(weight > 0.0 && weight.is_finite()) {
                return Err(format!(
                    "--channels: the weight of {name} must be a positive number, got `{weight}`"
                ));
            }
            let base = known.iter().find(|c| c.name.eq_ignore_ascii_case(&name));
            Ok(ChannelSpec {
                weight,
                cart_multiplier: base.map_or(1.0, |c| c.cart_multiplier),
                purchase_multiplier: base.map_or(1.0, |c| c.purchase_multiplier),
                name,
            })
        })
        .collect()
}

/// What an option takes after it.
#[derive(Clone, Copy, PartialEq)]
enum Takes {
    /// Nothing: a switch.
    Nothing,
    /// One value, given once.
    One,
    /// A value each time, and it may be given again (the column options).
    Many,
}

/// Where an option means something.
#[derive(Clone, Copy, PartialEq)]
enum Scope {
    /// Both commands, generated data and files alike.
    Any,
    /// `run` only (privacy, columns, copies): `generate` writes the raw data untouched.
    Run,
    /// Generated data only: with --clients and --interactions the data come from the files.
    Generated,
}

/// Every option.
const OPTIONS: [(&str, Takes, Scope); 22] = [
    ("--quiet", Takes::Nothing, Scope::Any),
    ("--excel-fr", Takes::Nothing, Scope::Run),
    ("--age-bands", Takes::Nothing, Scope::Run),
    ("--departement-only", Takes::Nothing, Scope::Run),
    ("--consent-only", Takes::Nothing, Scope::Run),
    ("--pseudonymise", Takes::Nothing, Scope::Run),
    ("--no-pseudonymise", Takes::Nothing, Scope::Run),
    ("--k", Takes::One, Scope::Run),
    ("--passphrase-file", Takes::One, Scope::Run),
    ("--map-clients", Takes::Many, Scope::Run),
    ("--map-interactions", Takes::Many, Scope::Run),
    ("--absent", Takes::Many, Scope::Run),
    ("--customers", Takes::One, Scope::Generated),
    ("--seed", Takes::One, Scope::Generated),
    ("--dirty", Takes::One, Scope::Generated),
    ("--consent-rate", Takes::One, Scope::Generated),
    ("--channels", Takes::One, Scope::Generated),
    ("--interactions", Takes::One, Scope::Any),
    ("--from", Takes::One, Scope::Any),
    ("--to", Takes::One, Scope::Any),
    ("--clients", Takes::One, Scope::Any),
    ("--out", Takes::One, Scope::Any),
];

fn parse_args(argv: &[String]) -> Result<Args, String> {
    let mut it = argv.iter();
    let command = it
        .next()
        .ok_or("missing command: `generate` or `run` (see --help)")?
        .clone();
    if command != "generate" && command != "run" {
        return Err(format!(
            "unknown command `{command}`: expected `generate` or `run` (see --help)"
        ));
    }
    let mut a = Args {
        command,
        gen: GenerateOptions::default(),
        clients: None,
        interactions: None,
        from: None,
        to: None,
        out: None,
        quiet: false,
        excel_fr: false,
        privacy: PrivacyOptions::default(),
        mapping: Default::default(),
        absent: Vec::new(),
        passphrase_file: None,
    };
    // (Set but blank, or not text, is a mistake where pseudonyms are made, not "no
    // passphrase": their key would be random. Checked once the flags are known.)
    let mut env_unusable = None;
    match std::env::var("NUMBERLY_PASSPHRASE") {
        Ok(p) if p.trim().is_empty() => {
            env_unusable = Some("NUMBERLY_PASSPHRASE is set but holds no passphrase: unset it, or give one")
        }
        Ok(p) => a.privacy.passphrase = Some(p),
        Err(std::env::VarError::NotUnicode(_)) => {
            env_unusable = Some("NUMBERLY_PASSPHRASE is not valid UTF-8 text: give the passphrase as text")
        }
        Err(std::env::VarError::NotPresent) => {}
    }
    let mut interactions_arg: Option<String> = None;
    // Options of generated data given (they mean nothing for files read).
    let mut generating: Vec<&str> = Vec::new();
    // Options of `run` given (they mean nothing for `generate`, which writes raw data).
    let mut running: Vec<&str> = Vec::new();
    // Options with a value given so far, with it: one given twice is an error.
    let mut given: Vec<(&str, &str)> = Vec::new();
    while let Some(flag) = it.next() {
        let Some(&(_, takes, scope)) = OPTIONS.iter().find(|(name, ..)| name == flag) else {
            return Err(format!("unknown option `{flag}` (see --help)"));
        };
        match scope {
            Scope::Run => running.push(flag),
            Scope::Generated => generating.push(flag),
            Scope::Any => {}
        }
        if takes == Takes::Nothing {
            let on = match flag.as_str() {
                "--quiet" => &mut a.quiet,
                "--excel-fr" => &mut a.excel_fr,
                "--age-bands" => &mut a.privacy.age_bands,
                "--departement-only" => &mut a.privacy.departement_only,
                "--consent-only" => &mut a.privacy.consent_only,
                _ => {
                    // --pseudonymise or --no-pseudonymise.
                    let on = flag == "--pseudonymise";
                    if a.privacy.pseudonymise == Some(!on) {
                        return Err("--pseudonymise and --no-pseudonymise contradict each other: give one".into());
                    }
                    a.privacy.pseudonymise = Some(on);
                    continue;
                }
            };
            *on = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("{flag}: missing value"))?;
        if value.starts_with("--") {
            return Err(format!("{flag}: missing value (`{value}` is the next option)"));
        }
        if takes == Takes::One {
            if let Some((_, before)) = given.iter().find(|(f, _)| f == flag) {
                return Err(format!(
                    "{flag} is given twice (`{before}`, then `{value}`): give it once"
                ));
            }
            given.push((flag, value));
        }
        match flag.as_str() {
            "--customers" => a.gen.customers = parse_num(flag, value)?,
            "--interactions" => interactions_arg = Some(value.clone()),
            "--seed" => a.gen.seed = parse_num(flag, value)?,
            "--from" => a.from = Some(parse_day(flag, value)?),
            "--to" => a.to = Some(parse_day(flag, value)?),
            "--dirty" => a.gen.dirty = parse_num(flag, value)?,
            "--consent-rate" => a.gen.consent_rate = parse_num(flag, value)?,
            "--channels" => a.gen.channels = parse_channels(value, &a.gen.channels)?,
            "--clients" => a.clients = Some(PathBuf::from(value)),
            "--out" => a.out = Some(PathBuf::from(value)),
            "--k" => a.privacy.k = parse_num(flag, value)?,
            "--passphrase-file" => {
                a.passphrase_file = Some(PathBuf::from(value));
            }
            "--map-clients" | "--map-interactions" => {
                let (header, column) = value
                    .split_once('=')
                    .ok_or_else(|| format!("{flag}: expected HEADER=COLUMN, got `{value}`"))?;
                let file = usize::from(flag == "--map-interactions");
                let (header, column) = (header.trim().to_string(), column.trim().to_string());
                // (Headers are matched whatever their case, as the engine matches them.)
                let same = |x: &str, y: &str| x.to_lowercase() == y.to_lowercase();
                if let Some((_, before)) = a.mapping[file].iter().find(|(h, _)| same(h, &header)) {
                    return Err(format!(
                        "{flag}: the header `{header}` is mapped twice (to `{before}`, then to `{column}`)"
                    ));
                }
                let other = a.mapping[file]
                    .iter()
                    .find(|(_, c)| !column.is_empty() && same(c, &column));
                if let Some((other, _)) = other {
                    return Err(format!(
                        "{flag}: two headers are mapped to `{column}` (`{other}`, then `{header}`): map one"
                    ));
                }
                a.mapping[file].insert(header, column);
            }
            "--absent" => {
                for column in value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                    if !numberly_core::ingest::ABSENTABLE.contains(&column) {
                        return Err(format!(
                            "{flag}: `{column}` cannot be absent (only {} can)",
                            numberly_core::ingest::ABSENTABLE.join(", ")
                        ));
                    }
                    a.absent.push(column.to_string());
                }
            }
            _ => return Err(format!("unknown option `{flag}` (see --help)")),
        }
    }
    // `--interactions` is a count when generating and a file when reading files.
    if let Some(v) = interactions_arg {
        if a.clients.is_some() {
            a.interactions = Some(PathBuf::from(v));
        } else {
            // A file name here is a forgotten --clients (or a file given to generate).
            let looks_like_file = |v: &str| {
                let lower = v.to_lowercase();
                v.contains(['/', '\\'])
                    || [".csv", ".tsv", ".txt"].iter().any(|e| lower.ends_with(e))
                    || std::path::Path::new(v).is_file()
            };
            a.gen.interactions = parse_num("--interactions", &v).map_err(|e| match () {
                _ if !looks_like_file(&v) => e,
                _ if a.command == "generate" => {
                    format!("--interactions: `generate` takes a number of interactions, got the file `{v}`")
                }
                _ => format!("--interactions `{v}` is a file: --clients FILE and --interactions FILE go together"),
            })?;
        }
    }
    if let Some(d) = a.from {
        a.gen.from = d;
    }
    if let Some(d) = a.to {
        a.gen.to = d;
    }
    if a.privacy.k == 0 {
        return Err("--k: expected a whole number of at least 1".into());
    }
    if a.out.is_none() {
        return Err("--out DIR is required".into());
    }
    if a.command == "generate" && a.clients.is_some() {
        return Err("`generate` does not read files; use `run --clients … --interactions …`".into());
    }
    if let (Some(flag), "generate") = (running.first(), a.command.as_str()) {
        return Err(format!(
            "{flag} is an option of `run`: `generate` writes the raw data (identifiers included), untouched"
        ));
    }
    let passphrase_file = a.passphrase_file.is_some();
    if passphrase_file && a.privacy.pseudonymise == Some(false) {
        return Err(
            "--passphrase-file gives the pseudonyms' key, and --no-pseudonymise keeps client_id as it is: \
                    give one"
                .into(),
        );
    }
    if a.clients.is_some() != a.interactions.is_some() {
        return Err("--clients FILE and --interactions FILE go together".into());
    }
    if !a.absent.is_empty() && a.clients.is_none() {
        return Err("--absent is about a clients file: give it with --clients FILE --interactions FILE".into());
    }
    let mapped = ["--map-clients", "--map-interactions"]
        .into_iter()
        .find(|f| running.contains(f));
    if let (Some(flag), None) = (mapped, &a.clients) {
        return Err(format!(
            "{flag} is about the columns of a file: give it with --clients FILE --interactions FILE"
        ));
    }
    let pseudonyms = a.command == "run"
        && match a.clients {
            Some(_) => a.privacy.pseudonymise != Some(false),
            None => a.privacy.pseudonymise == Some(true),
        };
    if let (Some(why), true, false) = (env_unusable, pseudonyms, passphrase_file) {
        return Err(why.into());
    }
    if passphrase_file && a.clients.is_none() && a.privacy.pseudonymise != Some(true) {
        return Err(
            "--passphrase-file: generated data keep client_id as it is; add --pseudonymise to pseudonymise it".into(),
        );
    }
    if let (Some(flag), Some(_)) = (generating.first(), &a.clients) {
        return Err(format!(
            "{flag} sets generated data; with --clients and --interactions the data come from the files"
        ));
    }
    if a.out.as_ref().is_some_and(|o| o.as_os_str().is_empty()) {
        return Err("--out: expected a folder, got an empty path".into());
    }
    // A file of interactions with no row is refused by `run`: not written either.
    if a.command == "generate" && a.gen.interactions == 0 {
        return Err(
            "--interactions: `generate` writes at least 1 (`run` refuses a file with no row; \
`run --interactions 0` works on generated data)"
                .into(),
        );
    }
    // Values out of range are a command line that cannot be run too.
    match &a.clients {
        None => a.gen.validate().map_err(|e| options_message(e, &a))?,
        Some(_) => numberly_core::clean::check_period(a.from, a.to).map_err(|e| options_message(e, &a))?,
    }
    if let (Some(c), Some(i)) = (&a.clients, &a.interactions) {
        if fs::canonicalize(c).is_ok_and(|c| fs::canonicalize(i).is_ok_and(|i| c == i)) {
            return Err(format!(
                "--clients and --interactions are the same file ({}): give the clients file and the interactions file",
                c.display()
            ));
        }
    }
    Ok(a)
}

/// The passphrase of `--passphrase-file`: the first line of the file.
fn read_passphrase(path: &Path) -> Result<String, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("--passphrase-file {}: {e}", path.display()))?;
    // (A BOM that an editor put first is not part of the passphrase.)
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let line = text.lines().next().unwrap_or("").to_string();
    if line.trim().is_empty() {
        return Err(format!(
            "--passphrase-file {}: holds no passphrase (its first line is blank)",
            path.display()
        ));
    }
    Ok(line)
}

/// Progress lines on stderr: one per stage with its duration, and a percentage
/// at most every 10 % within a stage.
struct Progress {
    quiet: bool,
    start: Instant,
    stage: Option<(&'static str, Instant, Option<f64>)>,
    last_tenth: i64,
}

/// CPU seconds this process used so far (all threads, user and system), where the
/// platform tells: with the wall time it shows how well a stage uses the cores.
fn cpu_seconds() -> Option<f64> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getrusage only writes the struct it is given.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } == 0 {
            let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
            return Some(secs(u.ru_utime) + secs(u.ru_stime));
        }
    }
    None
}

impl Progress {
    fn update(&mut self, stage: &'static str, fraction: f64) {
        if self.quiet {
            return;
        }
        if self.stage.map(|s| s.0) != Some(stage) {
            self.end_stage();
            self.stage = Some((stage, Instant::now(), cpu_seconds()));
            self.last_tenth = -1;
        }
        let tenth = (fraction * 10.0).floor() as i64;
        if tenth > self.last_tenth && tenth < 10 && tenth > 0 {
            eprintln!("  {stage}: {}%", tenth * 10);
        }
        self.last_tenth = self.last_tenth.max(tenth);
    }

    fn end_stage(&mut self) {
        if let (false, Some((name, t, cpu))) = (self.quiet, self.stage.take()) {
            let used = match (cpu, cpu_seconds()) {
                (Some(a), Some(b)) => format!(" (CPU {:.2} s)", b - a),
                _ => String::new(),
            };
            eprintln!("{name} done in {:.2} s{used}", t.elapsed().as_secs_f64());
        }
    }

    fn finish(&mut self) {
        self.end_stage();
        if !self.quiet {
            let used = cpu_seconds().map_or_else(String::new, |c| format!(" (CPU {c:.2} s)"));
            // Large blocks ask for huge pages until those prove cold (see alloc.rs).
            let pages = if alloc::huge_pages() {
                "huge pages asked for"
            } else {
                "huge pages were cold, no longer asked for"
            };
            eprintln!("total {:.2} s{used}; {pages}", self.start.elapsed().as_secs_f64());
        }
    }
}

/// Bytes of the interactions file read at a time (pieces end at a line break).
const PIECE_BYTES: u64 = 32 << 20;

/// A file on disk, read at any offset: pieces are read one at a time, in order.
struct DiskFile {
    file: Mutex<fs::File>,
    size: u64,
}

impl DiskFile {
    fn open(path: &Path) -> std::io::Result<Self> {
        let file = fs::File::open(path)?;
        let size = file.metadata()?.len();
        Ok(DiskFile {
            file: Mutex::new(file),
            size,
        })
    }
}

impl ReadAt for DiskFile {
    fn size(&self) -> u64 {
        self.size
    }

    fn read_at(&self, start: u64, end: u64) -> Result<Vec<u8>, String> {
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let len = end.saturating_sub(start);
        // Read into fresh capacity: no need to clear it first.
        let mut bytes = Vec::with_capacity(len as usize);
        file.seek(SeekFrom::Start(start))
            .and_then(|_| (&mut *file).take(len).read_to_end(&mut bytes))
            .map_err(|e| format!("cannot be read: {e}"))?;
        if bytes.len() as u64 != len {
            return Err("cannot be read: the file got shorter while it was read".into());
        }
        Ok(bytes)
    }
}

/// The read error of the streamed interactions file, if any, as the CLI reports it.
fn streamed_error(a: &Args, streamed: &Option<(CsvFile, Streamed<DiskFile>)>) -> Option<String> {
    let e = streamed.as_ref()?.1.error()?;
    let path = a
        .interactions
        .as_ref()
        .map_or_else(String::new, |p| p.display().to_string());
    Some(format!("{path}: {e}"))
}

/// An error of the generated data's options or of the period (of files too), worded
/// with the flag that sets the option (the engine names its field) and, for the
/// period, the days given.
fn options_message(e: numberly_core::Error, a: &Args) -> String {
    let numberly_core::Error::Options(m) = &e else {
        return e.to_string();
    };
    let Some((field, why)) = m.split_once(": ") else {
        return e.to_string();
    };
    let day = |d: i32, given: bool| {
        let d = numberly_core::dates::date_string(d);
        if given {
            d
        } else {
            format!("{d} (the default)")
        }
    };
    let flag = match field {
        "customers" => "--customers".to_string(),
        "interactions" => "--interactions".to_string(),
        "dirty" => "--dirty".to_string(),
        "consent_rate" => "--consent-rate".to_string(),
        "channels" => "--channels".to_string(),
        "period" => format!(
            "--from {} --to {}",
            day(a.gen.from, a.from.is_some()),
            day(a.gen.to, a.to.is_some())
        ),
        _ => return e.to_string(),
    };
    format!("{flag}: {why}")
}

/// The files of the engine's names in `out` that this command did not write (an
/// earlier command's, which no longer go with the rest), said in one line.
fn earlier_files(out: &Path, written: &[String]) -> Option<String> {
    let ours = numberly_core::export::FILES.iter().flat_map(|n| {
        let copy = n.ends_with(".csv").then(|| numberly_core::export::excel_name(n));
        std::iter::once(n.to_string()).chain(copy)
    });
    let left: Vec<String> = ours.filter(|n| !written.contains(n) && out.join(n).is_file()).collect();
    (!left.is_empty()).then(|| {
        format!(
            "note: {} in {} {} from an earlier command: not written now, they do not go with these files",
            left.join(", "),
            out.display(),
            if left.len() == 1 { "is" } else { "are" }
        )
    })
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    fs::write(dir.join(name), bytes).map_err(|e| format!("--out {}: cannot write {name}: {e}", dir.display()))
}

/// How reports name the two input files: by their names only, as the browser app
/// does, so that the same files give the same outputs wherever they sit; when the
/// two have the same name, by as many of their last folders as tell them apart
/// (there the page, which knows names only, writes other bytes).
fn labels(clients: &Path, interactions: &Path) -> (String, String) {
    // The path's folders and name, `..` taking back the folder before it.
    let parts = |p: &Path| -> Vec<String> {
        let mut v = Vec::new();
        for c in p.components() {
            match c {
                std::path::Component::Normal(n) => v.push(n.to_string_lossy().into_owned()),
                std::path::Component::ParentDir => {
                    v.pop();
                }
                _ => {}
            }
        }
        v
    };
    let (c, i) = (parts(clients), parts(interactions));
    let tail = |v: &[String], n: usize| v[v.len().saturating_sub(n)..].join("/");
    let longest = c.len().max(i.len()).max(1);
    let Some(n) = (1..=longest).find(|&n| tail(&c, n) != tail(&i, n)) else {
        // Alike to the root (`e.csv` and `../e.csv`): the paths as given.
        return (clients.display().to_string(), interactions.display().to_string());
    };
    let label = |v: &[String], p: &Path| {
        if v.is_empty() {
            p.display().to_string()
        } else {
            tail(v, n)
        }
    };
    (label(&c, clients), label(&i, interactions))
}

/// Writes the Excel (FR) copy of each CSV output that Excel can open whole, beside
/// it, as the page offers them; returns what to say of them, and their names.
fn excel_copies(out: &Path, outputs: &[numberly_core::export::Output]) -> Result<(String, Vec<String>), String> {
    use numberly_core::export::{excel_fr, excel_name, EXCEL_ROWS};
    let (mut made, mut too_long) = (Vec::new(), Vec::new());
    for o in outputs.iter().filter(|o| o.name.ends_with(".csv")) {
        // Excel opens 1,048,576 rows, the header included.
        if o.rows >= EXCEL_ROWS {
            too_long.push(o.name.as_str());
            continue;
        }
        let csv =
            fs::read(out.join(&o.name)).map_err(|e| format!("--out {}: cannot read {}: {e}", out.display(), o.name))?;
        let copy = excel_fr(&o.name, &csv).map_err(|e| e.to_string())?;
        write_file(out, &excel_name(&o.name), &copy)?;
        made.push(excel_name(&o.name));
    }
    let mut said = format!("Excel (FR) copies: {}", made.join(", "));
    if !too_long.is_empty() {
        said.push_str(&format!(
            "; none of {} (more rows than Excel opens, {EXCEL_ROWS} with the header)",
            too_long.join(", ")
        ));
    }
    Ok((said, made))
}

/// Refuses an output folder that is a file, or where writing an output would
/// overwrite an input file: the same file under an output's name (also through a
/// link, or in another case on a file system that ignores case).
fn check_out(out: &Path, inputs: [Option<&PathBuf>; 2], names: &[&str]) -> Result<(), String> {
    if out.exists() && !out.is_dir() {
        return Err(format!("--out {}: this is a file, not a folder", out.display()));
    }
    for input in inputs.into_iter().flatten() {
        let Ok(path) = input.canonicalize() else {
            continue; // reported when it is read
        };
        if names
            .iter()
            .any(|n| out.join(n).canonicalize().is_ok_and(|o| o == path))
        {
            return Err(format!(
                "--out {}: writing there would overwrite the input {} (an output has its name); choose another folder",
                out.display(),
                input.display()
            ));
        }
    }
    Ok(())
}

fn run(a: Args) -> Result<(), String> {
    let out = a.out.clone().unwrap_or_default();
    // The names written there: the outputs, and their Excel copies when asked.
    let mut names: Vec<String> = numberly_core::export::FILES.iter().map(|n| n.to_string()).collect();
    if a.excel_fr {
        let copies: Vec<String> = names
            .iter()
            .filter(|n| n.ends_with(".csv"))
            .map(|n| numberly_core::export::excel_name(n))
            .collect();
        names.extend(copies);
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    check_out(&out, [a.clients.as_ref(), a.interactions.as_ref()], &names)?;
    // (Made once the inputs are read: an unreadable input leaves no empty folder.)
    let make_out =
        || fs::create_dir_all(&out).map_err(|e| format!("--out {}: cannot create the folder: {e}", out.display()));
    let mut progress = Progress {
        quiet: a.quiet,
        start: Instant::now(),
        stage: None,
        last_tenth: -1,
    };
    if a.command == "generate" {
        let raw = generate_with_progress(&a.gen, &mut |f| progress.update("generate", f))
            .map_err(|e| options_message(e, &a))?;
        make_out()?;
        write_file(&out, "clients.csv", &raw.clients_csv)?;
        write_file(&out, "interactions.csv", &raw.interactions_csv)?;
        progress.finish();
        if !a.quiet && a.gen.dirty > 0.0 {
            eprintln!(
                "injected defects: {}",
                serde_json::to_string(&raw.truth).unwrap_or_default()
            );
        }
        if !a.quiet {
            let written = ["clients.csv".to_string(), "interactions.csv".to_string()];
            if let Some(note) = earlier_files(&out, &written) {
                eprintln!("{note}");
            }
            let bytes = raw.clients_csv.len() + raw.interactions_csv.len();
            eprintln!(
                "wrote clients.csv and interactions.csv ({:.1} MB) to {}",
                bytes as f64 / 1e6,
                out.display()
            );
        }
        return Ok(());
    }
    let files;
    let mut streamed = None;
    let source = match (&a.clients, &a.interactions) {
        (Some(c), Some(i)) => {
            let clients = fs::read(c).map_err(|e| format!("--clients {}: {e}", c.display()))?;
            let (c_label, i_label) = labels(c, i);
            files = (clients, c_label, i_label);
            // The clients file first: a fault in both files is reported for it.
            CsvFile::open(&files.1, &files.0).map_err(|e| e.to_string())?;
            // The interactions file is read piece by piece as it is parsed, as the app
            // reads it: memory holds a few pieces, not the whole file.
            let disk = DiskFile::open(i).map_err(|e| format!("--interactions {}: {e}", i.display()))?;
            let (head, body) = Streamed::open(&files.2, disk, PIECE_BYTES).map_err(|e| e.to_string())?;
            if !a.quiet {
                let mut tenth = 0;
                body.on_progress(move |f| {
                    // Reading is most of cleaning: the share read stands for its progress.
                    let t = (f * 10.0).floor() as i64;
                    if t > tenth && t < 10 {
                        tenth = t;
                        eprintln!("  clean: {}%", t * 10);
                    }
                });
            }
            let (head, body) = &*streamed.insert((head, body));
            Source::Stream {
                clients: (&files.1, &files.0),
                head,
                body,
            }
        }
        _ => Source::Generate(a.gen.clone()),
    };
    let clean_opts = CleanOptions {
        from: a.from,
        to: a.to,
        mapping: a.mapping.clone(),
        absent: a.absent.clone(),
        ..CleanOptions::default()
    };
    let prepared = cleaned(source, &clean_opts, &mut |stage, f| progress.update(stage.name(), f));
    // A read error explains the rest: it comes first.
    if let Some(e) = streamed_error(&a, &streamed) {
        return Err(e);
    }
    let prepared = prepared.map_err(|e| options_message(e, &a))?;
    let filter = Filter::default();
    let privacy = prepared.privacy(&a.privacy, None).map_err(|e| e.to_string())?;
    let input = prepared.export_input(&filter, &privacy);
    make_out()?;
    // No BufWriter: the exporter already hands over chunks, which direct I/O gathers in blocks.
    let open = |name: &str| direct::create(&out.join(name));
    // The metrics are computed while the files that do not need them are written.
    let (report, outputs) = export_with_metrics(&input, || compute(&prepared.dataset, &filter), &open, &mut |f| {
        progress.update("metrics+export", f)
    })
    .map_err(|e| match e {
        numberly_core::Error::Io { .. } => format!("--out {}: cannot write {e}", out.display()),
        e => e.to_string(),
    })?;
    progress.finish();
    let excel = if a.excel_fr {
        Some(excel_copies(&out, &outputs)?)
    } else {
        None
    };
    let mut written: Vec<String> = outputs.iter().map(|o| o.name.clone()).collect();
    if let Some((_, copies)) = &excel {
        written.extend(copies.iter().cloned());
    }
    if !a.quiet {
        for f in [&prepared.clean.clients, &prepared.clean.interactions] {
            eprintln!("{}: read {}, kept {}, rejected {}", f.file, f.read, f.kept, f.rejected);
        }
        let p = &privacy.report;
        // (A column the user meant to use is mapped with --map-clients / --map-interactions.)
        for (what, notes) in [
            ("identifier columns dropped", &p.identifiers_dropped),
            ("columns not used", &p.columns_ignored),
        ] {
            let names: Vec<String> = notes.iter().map(|n| format!("{}:{}", n.file, n.column)).collect();
            if !names.is_empty() {
                eprintln!("{what}: {}", names.join(", "));
            }
        }
        eprintln!(
            "privacy: client_id {}; k = {}: smallest group {}, {} customers in {} groups below k{}{}",
            if p.pseudonymised { "pseudonymised" } else { "kept as is" },
            p.k,
            p.smallest_group,
            p.customers_below_k,
            p.groups_below_k,
            if p.consent_only {
                format!("; {} customers without consent left out", p.customers_left_out)
            } else {
                String::new()
            },
            match p.places_lost {
                Some(lost) if lost > 0 => format!(
                    "; {lost} customers without a département (none given, none from the postcode) written \
                     without a place"
                ),
                _ => String::new(),
            }
        );
        // Rows that k-anonymity blanked: their figures are not in these files.
        let blanked: Vec<String> = numberly_core::privacy::suppressed_rows(&report, &privacy)
            .into_iter()
            .filter(|&(_, n)| n > 0)
            .map(|(file, n)| {
                let rows = outputs.iter().find(|o| o.name == file).map_or(0, |o| o.rows);
                format!("{file} {n} of {rows}")
            })
            .collect();
        if !blanked.is_empty() {
            eprintln!(
                "rows blanked for k-anonymity (k = {}; a smaller --k blanks fewer, --k 1 none): {}",
                p.k,
                blanked.join(", ")
            );
        }
        let d = &prepared.dataset;
        // (Without a row kept, and without --from or --to, there is no date to take it from.)
        let no_row = prepared.clean.interactions.kept == 0;
        if d.dated {
            eprintln!(
                "period: {} to {} ({})",
                numberly_core::dates::date_string(d.from),
                numberly_core::dates::date_string(d.to),
                match (&a.clients, a.from.is_some(), a.to.is_some()) {
                    (None, ..) => "of the generated data",
                    (Some(_), false, false) => {
                        "the first and last dates of the rows kept; set it with --from and --to"
                    }
                    (Some(_), true, true) => "--from and --to",
                    (Some(_), ..) if no_row => "--from or --to for both ends: no row kept to date the other",
                    (Some(_), ..) => "--from or --to, and the rows kept for the other end",
                }
            );
        } else {
            eprintln!("period: none (no interaction row kept to date it; set it with --from and --to)");
        }
        if let Some(truth) = prepared.truth.as_ref().filter(|_| a.gen.dirty > 0.0) {
            // What cleaning had to find (the rejects above match it rule by rule).
            eprintln!("injected defects: {}", serde_json::to_string(truth).unwrap_or_default());
        }
        if let Some((said, _)) = &excel {
            eprintln!("{said}");
        }
        if let Some(note) = earlier_files(&out, &written) {
            eprintln!("{note}");
        }
        let bytes: u64 = outputs.iter().map(|o| o.bytes).sum();
        let copies = excel.as_ref().map_or(0, |(_, c)| c.len());
        eprintln!(
            "wrote {} files ({:.1} MB){} to {}",
            outputs.len(),
            bytes as f64 / 1e6,
            if copies > 0 {
                format!(" and {copies} Excel copies")
            } else {
                String::new()
            },
            out.display()
        );
    }
    let _ = std::io::stderr().flush();
    // A file with a header and no row, or one that keeps nothing, is unusable as it
    // is: said, and the exit is not 0 (the outputs are written all the same).
    for f in [&prepared.clean.clients, &prepared.clean.interactions] {
        if a.clients.is_some() && f.read == 0 {
            return Err(format!("{}: it has a header but no rows under it", f.file));
        }
    }
    if let Some(nothing) = prepared.clean.nothing_kept() {
        return Err(nothing);
    }
    Ok(())
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.is_empty() || argv.iter().any(|a| a == "-h" || a == "--help") {
        print!("{USAGE}");
        return if argv.is_empty() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    if argv.iter().any(|a| a == "-V" || a == "--version") {
        println!("numberly {}", numberly_core::VERSION);
        return ExitCode::SUCCESS;
    }
    // Exit codes: 2 for a command line that cannot be run, 1 for inputs or outputs
    // that fail.
    let mut args = match parse_args(&argv) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("numberly: {e}");
            return ExitCode::from(2);
        }
    };
    // (An input, read once the command line is found sound.)
    if let Some(path) = &args.passphrase_file {
        match read_passphrase(path) {
            Ok(p) => args.privacy.passphrase = Some(p),
            Err(e) => {
                eprintln!("numberly: {e}");
                return ExitCode::from(1);
            }
        }
    }
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("numberly: {e}");
            ExitCode::from(1)
        }
    }
}
