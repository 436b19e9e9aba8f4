//! The built `numberly` binary: its files, its determinism and its messages.

use numberly_core::export::FILES;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_numberly");

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("numberly-cli-test-{}-{tag}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn arg(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn numberly(args: &[&str]) -> Output {
    let out = Command::new(BIN).args(args).output().expect("the binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "numberly {args:?} panicked:\n{err}");
    out
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn succeeds(args: &[&str]) -> Output {
    let out = numberly(args);
    assert!(out.status.success(), "numberly {args:?} failed:\n{}", stderr(&out));
    out
}

/// Runs a command that must fail; returns its stderr, which must be one line
/// starting with `numberly: `.
fn fails(args: &[&str]) -> String {
    let out = numberly(args);
    assert!(!out.status.success(), "numberly {args:?} should fail");
    let code = out.status.code().expect("an exit code, not a signal");
    assert!(code == 1 || code == 2, "exit code {code}");
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line of message: {err:?}");
    assert!(lines[0].starts_with("numberly: "), "{err:?}");
    lines[0].to_string()
}

fn fixture(path: &str) -> String {
    format!("{}/../core/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn sha256(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of every output file of a `run`, checking each exists.
fn digests(dir: &TempDir) -> Vec<(String, String)> {
    FILES
        .iter()
        .map(|name| {
            let path = dir.join(name);
            assert!(path.is_file(), "{name} was not written");
            (name.to_string(), sha256(&path))
        })
        .collect()
}

fn lines_of(path: &Path) -> usize {
    fs::read(path).unwrap().iter().filter(|&&c| c == b'\n').count()
}

#[test]
fn generate_writes_the_two_raw_files() {
    let dir = TempDir::new("generate");
    let args = [
        "generate",
        "--customers",
        "200",
        "--interactions",
        "1_000",
        "--seed",
        "3",
        "--dirty",
        "0.05",
        "--out",
        dir.arg(),
    ];
    let out = succeeds(&args);
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["clients.csv", "interactions.csv"]);
    // Exactly the rows asked for, plus the header.
    assert_eq!(lines_of(&dir.join("interactions.csv")), 1_001);
    assert!(
        lines_of(&dir.join("clients.csv")) > 200,
        "duplicates are added to the 200 customers"
    );
    let clients = fs::read_to_string(dir.join("clients.csv")).unwrap();
    assert!(clients.starts_with("client_id,age,ville,segment,canal_acquisition,"));
    assert!(stderr(&out).contains("injected defects: {"), "{}", stderr(&out));
    // The same command writes the same bytes.
    let again = TempDir::new("generate-again");
    let mut args2 = args;
    args2[10] = again.arg();
    succeeds(&args2);
    for name in ["clients.csv", "interactions.csv"] {
        assert_eq!(sha256(&dir.join(name)), sha256(&again.join(name)), "{name}");
    }
}

#[test]
fn run_writes_every_output_and_a_manifest_of_them() {
    let dir = TempDir::new("run");
    let out = succeeds(&[
        "run",
        "--customers",
        "300",
        "--interactions",
        "2000",
        "--seed",
        "5",
        "--out",
        dir.arg(),
    ]);
    let digests = digests(&dir);
    let err = stderr(&out);
    assert!(err.contains("clients.csv: read 300, kept 300, rejected 0"), "{err}");
    assert!(
        err.contains("interactions.csv: read 2000, kept 2000, rejected 0"),
        "{err}"
    );
    assert!(err.contains(&format!("wrote {} files", FILES.len())), "{err}");
    assert_eq!(lines_of(&dir.join("interactions.csv")), 2_001);
    assert_eq!(lines_of(&dir.join("clients.csv")), 301);
    // The manifest lists every other file with its true digest and size.
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).expect("the manifest is JSON");
    let outputs = manifest["outputs"].as_array().expect("outputs");
    assert_eq!(outputs.len(), FILES.len() - 1);
    for (o, (name, digest)) in outputs.iter().zip(&digests) {
        assert_eq!(o["name"], name.as_str());
        assert_eq!(o["sha256"], digest.as_str(), "{name}");
        assert_eq!(o["bytes"], fs::metadata(dir.join(name)).unwrap().len(), "{name}");
    }
    assert_eq!(manifest["options"]["generate"]["seed"], 5);
    // Its dates are written as dates.
    for part in ["generate", "clean"] {
        assert_eq!(manifest["options"][part]["from"], "2025-01-01", "{part}");
        assert_eq!(manifest["options"][part]["to"], "2025-03-31", "{part}");
    }
}

#[test]
fn a_dirty_run_says_what_was_injected_and_cleaning_finds_it() {
    let dir = TempDir::new("dirty-run");
    let err = stderr(&succeeds(&[
        "run",
        "--customers",
        "300",
        "--interactions",
        "3000",
        "--dirty",
        "0.1",
        "--out",
        dir.arg(),
    ]));
    let truth = err
        .lines()
        .find_map(|l| l.strip_prefix("injected defects: "))
        .unwrap_or_else(|| panic!("no injected defects line: {err}"));
    let truth: serde_json::Value = serde_json::from_str(truth).expect("JSON");
    for file in ["clients", "interactions"] {
        let injected: u64 = truth[file]["rejected"]
            .as_object()
            .expect("rejected per rule")
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert!(injected > 0, "{file}");
        let rejected = format!(", rejected {injected}\n");
        let line = err
            .lines()
            .find(|l| l.starts_with(&format!("{file}.csv: read")))
            .unwrap();
        assert!(
            format!("{line}\n").ends_with(&rejected),
            "{line} against {injected} injected"
        );
    }
}

#[test]
fn run_twice_with_the_same_seed_gives_the_same_bytes() {
    let run = |seed: &str| {
        let dir = TempDir::new("same-seed");
        succeeds(&[
            "run",
            "--quiet",
            "--customers",
            "400",
            "--interactions",
            "3000",
            "--dirty",
            "0.05",
            "--seed",
            seed,
            "--out",
            dir.arg(),
        ]);
        digests(&dir)
    };
    let a = run("9");
    assert_eq!(a, run("9"));
    let c = run("10");
    let differs: Vec<&str> = a
        .iter()
        .zip(&c)
        .filter(|(x, y)| x.1 != y.1)
        .map(|(x, _)| x.0.as_str())
        .collect();
    for name in ["clients.csv", "interactions.csv", "kpis.csv", "rejects.csv"] {
        assert!(differs.contains(&name), "{name} should depend on the seed");
    }
}

#[test]
fn run_reads_the_original_demo_files() {
    let clients = fixture("demo/clients.csv");
    let interactions = fixture("demo/donnees_marketing.csv");
    let dir = TempDir::new("demo");
    let out = succeeds(&[
        "run",
        "--clients",
        &clients,
        "--interactions",
        &interactions,
        "--out",
        dir.arg(),
    ]);
    digests(&dir);
    let err = stderr(&out);
    assert!(err.contains("read 12, kept 12, rejected 0"), "{err}");
    assert!(err.contains("read 38, kept 36, rejected 2"), "{err}");
    let kpis = fs::read_to_string(dir.join("kpis.csv")).unwrap();
    assert!(kpis.contains("\nrevenue,773.65,false\n"), "{kpis}");
    assert!(kpis.contains("\nsessions,16,false\n"), "{kpis}");
    assert_eq!(lines_of(&dir.join("rejects.csv")), 3);

    // A period: 8 rows before 5 March, 6 after 20 March; the duplicate and the
    // unknown customer keep their own rules (they are checked first).
    let dir = TempDir::new("demo-period");
    let out = succeeds(&[
        "run",
        "--from",
        "2024-03-05",
        "--to",
        "2024-03-20",
        "--clients",
        &clients,
        "--interactions",
        &interactions,
        "--out",
        dir.arg(),
    ]);
    let err = stderr(&out);
    assert!(err.contains("read 38, kept 22, rejected 16"), "{err}");
    let rejects = fs::read_to_string(dir.join("rejects.csv")).unwrap();
    assert_eq!(rejects.matches(",out_of_period,").count(), 14, "{rejects}");
    let daily = fs::read_to_string(dir.join("daily.csv")).unwrap();
    assert_eq!(daily.lines().count(), 1 + 16, "one row per day of the period");
}

#[test]
fn a_missing_required_column_names_the_column_and_the_file() {
    let dir = TempDir::new("missing-column");
    let clients = dir.join("my_clients.csv");
    fs::write(&clients, "client_id,age,ville,canal_acquisition\nC_0001,30,Paris,SEO\n").unwrap();
    let interactions = fixture("demo/donnees_marketing.csv");
    let out_dir = dir.join("out");
    // `run` on these two files, with `extra` options.
    let (c, i, o) = (
        clients.to_str().unwrap(),
        interactions.as_str(),
        out_dir.to_str().unwrap(),
    );
    let args = |extra: &[&'static str]| -> Vec<&str> {
        let mut v = vec!["run", "--clients", c, "--interactions", i, "--out", o];
        v.extend_from_slice(extra);
        v
    };
    let msg = fails(&args(&[]));
    assert!(msg.contains("my_clients.csv"), "{msg}");
    assert!(msg.contains("required column `segment` is missing"), "{msg}");
    assert!(msg.contains("(`--absent segment`"), "{msg}");
    // Said absent: every customer's segment is `unknown`.
    let out = succeeds(&args(&["--absent", "segment", "--k", "1"]));
    assert!(
        stderr(&out).contains("my_clients.csv: read 1, kept 1, rejected 0"),
        "{}",
        stderr(&out)
    );
    let by_segment = fs::read_to_string(out_dir.join("by_segment.csv")).unwrap();
    assert!(
        by_segment.lines().nth(1).unwrap().starts_with("unknown,1,"),
        "{by_segment}"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out_dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["options"]["clean"]["absent"], serde_json::json!(["segment"]));
    let msg = fails(&args(&["--absent", "ville"]));
    assert_eq!(
        msg,
        "numberly: --absent: `ville` cannot be absent (only age, segment, canal_acquisition can)"
    );

    let events = dir.join("events.csv");
    fs::write(&events, "client_id;type_action;horodatage\nC_0001;achat;2024-03-01\n").unwrap();
    let msg = fails(&[
        "run",
        "--clients",
        &fixture("demo/clients.csv"),
        "--interactions",
        events.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(msg.contains("events.csv"), "{msg}");
    assert!(msg.contains("required column `valeur_achat` is missing"), "{msg}");
}

#[test]
fn unusable_input_files_get_one_sentence() {
    let dir = TempDir::new("unusable");
    let out = dir.join("out");
    let out = out.to_str().unwrap();
    let demo = fixture("demo/clients.csv");
    let missing = dir.join("nope.csv");
    let msg = fails(&[
        "run",
        "--clients",
        missing.to_str().unwrap(),
        "--interactions",
        &demo,
        "--out",
        out,
    ]);
    assert!(msg.contains("nope.csv"), "{msg}");
    let png = dir.join("image.csv");
    fs::write(&png, b"\x89PNG\r\n\x1a\nrest").unwrap();
    let msg = fails(&[
        "run",
        "--clients",
        &demo,
        "--interactions",
        png.to_str().unwrap(),
        "--out",
        out,
    ]);
    assert!(msg.contains("image.csv") && msg.contains("not a CSV file"), "{msg}");
    let empty = dir.join("empty.csv");
    fs::write(&empty, b"").unwrap();
    let msg = fails(&[
        "run",
        "--clients",
        empty.to_str().unwrap(),
        "--interactions",
        &demo,
        "--out",
        out,
    ]);
    assert!(msg.contains("empty.csv") && msg.contains("empty"), "{msg}");
}

#[test]
fn files_that_keep_nothing_or_cannot_answer_a_flag_are_said_so() {
    let dir = TempDir::new("nothing-kept");
    let out = dir.join("out");
    let out = out.to_str().unwrap();
    let clients = dir.join("c.csv");
    fs::write(
        &clients,
        "client_id;age;segment;canal_acquisition;note\nC1;30;Premium;SEO;vu au salon\n",
    )
    .unwrap();
    let clients = clients.to_str().unwrap();
    let bad = dir.join("i.csv");
    fs::write(
        &bad,
        "client_id;type_action;valeur_achat;date\nC1;achat;10;hier\nC1;page_vue;;demain\n",
    )
    .unwrap();
    // Every row rejected: the outputs are written, and the exit says it.
    let msg = fails(&[
        "run",
        "--clients",
        clients,
        "--interactions",
        bad.to_str().unwrap(),
        "--out",
        out,
        "--quiet",
    ]);
    assert!(
        msg.contains(
            "i.csv: none of its 2 rows was kept (invalid_date: 2; first at line 2, column horodatage: \"hier\")"
        ),
        "{msg}"
    );
    assert_eq!(lines_of(&dir.join("out").join("rejects.csv")), 3);
    // A column the engine does not use is named; --consent-only without a consent column is refused.
    let good = dir.join("g.csv");
    fs::write(
        &good,
        "client_id;type_action;valeur_achat;date\nC1;achat;10;2025-01-02\n",
    )
    .unwrap();
    let good = good.to_str().unwrap();
    let o = succeeds(&["run", "--clients", clients, "--interactions", good, "--out", out]);
    assert!(stderr(&o).contains("columns not used: c.csv:note"), "{}", stderr(&o));
    let msg = fails(&[
        "run",
        "--clients",
        clients,
        "--interactions",
        good,
        "--out",
        out,
        "--consent-only",
        "--quiet",
    ]);
    assert!(msg.contains("c.csv") && msg.contains("consent column"), "{msg}");
}

#[test]
fn bad_command_lines_exit_with_a_message() {
    let dir = TempDir::new("flags");
    let out = dir.arg();
    let msg = fails(&["run", "--bogus", "1", "--out", out]);
    assert!(msg.contains("--bogus"), "{msg}");
    let msg = fails(&["run", "--out", out, "--bogus"]);
    assert!(msg.contains("--bogus"), "{msg}");
    let msg = fails(&["frobnicate", "--out", out]);
    assert!(msg.contains("frobnicate"), "{msg}");
    let msg = fails(&["run", "--seed", "abc", "--out", out]);
    assert!(msg.contains("--seed") && msg.contains("abc"), "{msg}");
    let msg = fails(&["run", "--from", "31/02/2025", "--out", out]);
    assert!(msg.contains("--from"), "{msg}");
    let msg = fails(&["run", "--dirty", "0.9", "--out", out]);
    assert!(msg.contains("dirty"), "{msg}");
    let msg = fails(&["run", "--customers", "10"]);
    assert!(msg.contains("--out"), "{msg}");
    let msg = fails(&["run", "--clients", &fixture("demo/clients.csv"), "--out", out]);
    assert!(msg.contains("--interactions"), "{msg}");
    // An interactions file without --clients: the missing flag is named, not a number.
    let msg = fails(&["run", "--interactions", "data/i.csv", "--out", out]);
    assert!(
        msg.contains("--clients FILE and --interactions FILE go together"),
        "{msg}"
    );
    let msg = fails(&["generate", "--interactions", "i.csv", "--out", out]);
    assert!(msg.contains("takes a number of interactions"), "{msg}");
    for not_a_number in ["lots", "1.5", "10.000"] {
        let msg = fails(&["run", "--interactions", not_a_number, "--out", out]);
        assert!(
            msg.contains("--interactions: expected a") && msg.contains(&format!("got `{not_a_number}`")),
            "{msg}"
        );
    }
    let msg = fails(&[
        "generate",
        "--clients",
        "a.csv",
        "--interactions",
        "b.csv",
        "--out",
        out,
    ]);
    assert!(msg.contains("generate"), "{msg}");
    let (clients, interactions) = (fixture("demo/clients.csv"), fixture("demo/interactions.csv"));
    let files = ["run", "--clients", &clients, "--interactions", &interactions];
    let msg = fails(&[&files[..], &["--customers", "5", "--out", out]].concat());
    assert!(msg.contains("--customers") && msg.contains("files"), "{msg}");
    let msg = fails(&[&files[..], &["--out", ""]].concat());
    assert!(msg.contains("--out"), "{msg}");
    let msg = fails(&[&files[..], &["--out", &clients]].concat());
    assert!(msg.contains("not a folder"), "{msg}");
    // An output folder that holds an input under an output's name: refused, the
    // input left as it was.
    let raw = TempDir::new("raw-inputs");
    let raw_clients = raw.join("clients.csv");
    fs::copy(&clients, &raw_clients).unwrap();
    let raw_clients = raw_clients.to_string_lossy().into_owned();
    let msg = fails(&[
        "run",
        "--clients",
        &raw_clients,
        "--interactions",
        &interactions,
        "--out",
        raw.arg(),
    ]);
    assert!(msg.contains("overwrite") && msg.contains("clients.csv"), "{msg}");
    assert_eq!(fs::read(&raw_clients).unwrap(), fs::read(&clients).unwrap());
    // The same through a link under an output's name.
    let linked = TempDir::new("linked-out");
    std::os::unix::fs::symlink(&raw_clients, linked.join("clients.csv")).unwrap();
    let through_link = linked.join("clients.csv").to_string_lossy().into_owned();
    let msg = fails(&[
        "run",
        "--clients",
        &through_link,
        "--interactions",
        &interactions,
        "--out",
        linked.arg(),
    ]);
    assert!(msg.contains("overwrite"), "{msg}");
    assert_eq!(fs::read(&raw_clients).unwrap(), fs::read(&clients).unwrap());
    // Nothing at all: the usage on stdout and exit code 2.
    let o = numberly(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stdout).contains("USAGE"));
    let o = numberly(&["--version"]);
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!("numberly {}", numberly_core::VERSION)
    );
    let o = numberly(&["run", "--help"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("--interactions"));
}

#[test]
fn contradicting_repeated_or_misplaced_flags_are_refused() {
    let dir = TempDir::new("contradictions");
    let out = dir.arg();
    let (clients, interactions) = (fixture("demo/clients.csv"), fixture("demo/donnees_marketing.csv"));
    let files = ["run", "--clients", &clients, "--interactions", &interactions];
    // A run on the two files with more arguments, into `out`.
    macro_rules! on_files {
        ($($arg:expr),* $(,)?) => {
            [&files[..], &[$($arg),*], &["--out", out]].concat()
        };
    }
    let secret = dir.join("secret.txt");
    fs::write(&secret, "words\n").unwrap();
    let secret = secret.to_str().unwrap();
    let refused = |args: &[&str], expected: &str| {
        let msg = fails(args);
        assert!(msg.contains(expected), "{args:?}: {msg}");
    };
    refused(
        &["run", "--pseudonymise", "--no-pseudonymise", "--out", out],
        "--pseudonymise and --no-pseudonymise contradict each other",
    );
    // A command line that cannot be run exits 2; an input that fails, 1.
    assert_eq!(numberly(&["run", "--out", out, "--out", out]).status.code(), Some(2));
    let missing = dir.join("missing.csv");
    let missing = missing.to_str().unwrap();
    let o = numberly(&["run", "--clients", missing, "--interactions", missing, "--out", out]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    refused(&["run", "--out", out, "--out", "elsewhere"], "--out is given twice");
    // A value that is the next option, not a folder named `--quiet`.
    refused(
        &["run", "--out", "--quiet"],
        "--out: missing value (`--quiet` is the next option)",
    );
    refused(&["run", "--customers", "--out", out], "--customers: missing value");
    for channels in ["SEO=35", "SEO:35;Email:20", ":5"] {
        refused(
            &["run", "--channels", channels, "--out", out],
            "--channels: expected names with weights",
        );
    }
    refused(
        &["run", "--channels", "SEO:-5,Email:10", "--out", out],
        "--channels: the weight of SEO must be a positive number",
    );
    refused(&["generate", "--k", "3", "--out", out], "--k is an option of `run`");
    refused(
        &["generate", "--age-bands", "--out", out],
        "--age-bands is an option of `run`",
    );
    refused(
        &["run", "--passphrase-file", secret, "--out", out],
        "add --pseudonymise",
    );
    let blank = dir.join("blank.txt");
    fs::write(&blank, "   \nwords\n").unwrap();
    refused(
        &on_files!("--passphrase-file", blank.to_str().unwrap()),
        "holds no passphrase",
    );
    // A blank NUMBERLY_PASSPHRASE where pseudonyms are made (files, by default) is
    // refused; where none are made, it is not in the way.
    let with_blank_env = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .env("NUMBERLY_PASSPHRASE", " ")
            .output()
            .expect("the binary runs")
    };
    let o = with_blank_env(&on_files!("--quiet"));
    assert!(
        !o.status.success() && stderr(&o).contains("NUMBERLY_PASSPHRASE is set but holds no passphrase"),
        "{}",
        stderr(&o)
    );
    for args in [
        &["run", "--out", out, "--quiet"][..],
        &on_files!("--no-pseudonymise", "--quiet"),
        &on_files!("--passphrase-file", secret, "--quiet"),
    ] {
        let o = with_blank_env(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    refused(
        &["run", "--channels", "SEO:35,Email", "--out", out],
        "--channels: `Email` has no weight",
    );
    refused(&["run", "--k", "2.5", "--out", out], "--k: expected a whole number");
    refused(
        &["run", "--seed", "-1", "--out", out],
        "--seed: expected a whole number",
    );
    refused(
        &on_files!("--passphrase-file", secret, "--no-pseudonymise"),
        "--passphrase-file gives the pseudonyms' key",
    );
    refused(
        &["run", "--from", "01/02/2025", "--out", out],
        "--from: expected a date written YYYY-MM-DD",
    );
    refused(
        &["run", "--k", "99999999999", "--out", out],
        "--k: `99999999999` is too large",
    );
    refused(
        &on_files!("--map-clients", "Alter=age", "--map-clients", "Stadt=age"),
        "two headers are mapped to `age` (`Alter`, then `Stadt`)",
    );
    refused(
        &on_files!("--map-clients", "age=age", "--map-clients", "age=ville"),
        "the header `age` is mapped twice",
    );
    refused(
        &["run", "--map-clients", "a=age", "--out", out],
        "--map-clients is about the columns of a file",
    );
    // The generated data's options are named by their flags, the period by its days.
    refused(
        &["run", "--consent-rate", "1.5", "--out", out],
        "--consent-rate: must be between 0 and 1",
    );
    refused(
        &["run", "--from", "2025-03-31", "--to", "2025-01-01", "--out", out],
        "--from 2025-03-31 --to 2025-01-01: the end date is before the start date",
    );
    // Values out of range are a command line that cannot be run (exit 2), as much as
    // values that do not parse.
    let same = ["run", "--clients", &clients, "--interactions", &clients, "--out", out];
    for (args, expected) in [
        (
            &["run", "--customers", "0", "--out", out][..],
            "--customers: must be at least 1",
        ),
        (
            &["run", "--customers", "-5", "--out", out],
            "--customers: expected a whole number of at least 1, got `-5`",
        ),
        (
            &["run", "--dirty", "0.7", "--out", out],
            "--dirty: must be between 0 and 0.5",
        ),
        (
            &["generate", "--interactions", "0", "--out", out],
            "--interactions: `generate` writes at least 1 (`run` refuses a file with no row; `run --interactions 0`",
        ),
        (
            &["run", "--from", "1800-01-01", "--to", "2025-01-01", "--out", out],
            "--from 1800-01-01 --to 2025-01-01: generated data span at most ten years",
        ),
        (
            &["run", "--from", "2025-02-30", "--out", out],
            "--from: `2025-02-30` is not a day of the calendar",
        ),
        (
            &["run", "--from", "0999-12-31", "--out", out],
            "--from: `0999-12-31`: years 1000 to 9999 only",
        ),
        (
            &on_files!("--from", "2025-03-01", "--to", "2025-02-01"),
            "--from 2025-03-01 --to 2025-02-01: the end date is before the start date",
        ),
        (&same, "--clients and --interactions are the same file"),
    ] {
        let o = numberly(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
    }
    // An unreadable passphrase file is an input that fails (exit 1).
    let o = numberly(&on_files!("--passphrase-file", missing));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("--passphrase-file {missing}: No such file")),
        "{}",
        stderr(&o)
    );
    // An output folder that cannot be made is named as the --out folder.
    let file = dir.join("a-file");
    fs::write(&file, "x").unwrap();
    let under_a_file = file.join("out");
    refused(
        &["run", "--out", under_a_file.to_str().unwrap(), "--quiet"],
        &format!("--out {}: cannot create the folder", under_a_file.display()),
    );
    // An unreadable input is named by its flag, and leaves no output folder behind.
    let not_made = dir.join("not-made");
    refused(
        &[
            "run",
            "--clients",
            out,
            "--interactions",
            &interactions,
            "--out",
            not_made.to_str().unwrap(),
        ],
        &format!("--clients {out}: "),
    );
    assert!(!not_made.exists());
    refused(
        &on_files!("--from", "2025-03-31", "--to", "2025-01-01"),
        "--from 2025-03-31 --to 2025-01-01: the end date is before the start date",
    );
    refused(
        &["run", "--from", "2025-04-02", "--out", out],
        "--from 2025-04-02 --to 2025-03-31 (the default): the end date is before the start date",
    );
    // A column of names mapped to another column than client_id: refused, not dropped unseen.
    let with_names = dir.join("with-names.csv");
    fs::write(
        &with_names,
        "client_id,nom,age,ville,canal_acquisition\nC_0001,Dupont,34,Lyon,SEO\n",
    )
    .unwrap();
    refused(
        &[
            "run",
            "--clients",
            with_names.to_str().unwrap(),
            "--interactions",
            &interactions,
            "--map-clients",
            "nom=segment",
            "--out",
            out,
        ],
        "mapping `nom=segment`: `nom` holds direct identifiers",
    );
    // Headers are matched whatever their case: so are mappings.
    refused(
        &on_files!("--map-clients", "Age=age", "--map-clients", "AGE=ville"),
        "the header `AGE` is mapped twice",
    );
    // The column options are repeatable.
    succeeds(&on_files!(
        "--map-clients",
        "age=age",
        "--map-clients",
        "ville=ville",
        "--absent",
        "segment",
        "--absent",
        "age",
        "--quiet",
    ));
}

#[test]
fn excel_copies_are_written_beside_the_files_when_asked() {
    let dir = TempDir::new("excel-fr");
    let o = succeeds(&[
        "run",
        "--customers",
        "300",
        "--interactions",
        "2000",
        "--excel-fr",
        "--out",
        dir.arg(),
    ]);
    let err = stderr(&o);
    let csvs: Vec<&str> = numberly_core::export::FILES
        .iter()
        .copied()
        .filter(|n| n.ends_with(".csv"))
        .collect();
    assert!(csvs.len() >= 10);
    for name in csvs {
        let copy = fs::read(dir.join(&numberly_core::export::excel_name(name))).expect("an Excel copy");
        let want = numberly_core::export::excel_fr(name, &fs::read(dir.join(name)).unwrap()).unwrap();
        assert_eq!(copy, want, "{name}");
        assert!(copy.starts_with(b"\xEF\xBB\xBF"), "{name}: a byte order mark");
        assert!(err.contains(&numberly_core::export::excel_name(name)), "{err}");
    }
    // The manifest lists the outputs only.
    let manifest = fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert!(!manifest.contains("excel_fr"), "{manifest}");
    let msg = fails(&["generate", "--excel-fr", "--out", dir.arg()]);
    assert!(msg.contains("--excel-fr is an option of `run`"), "{msg}");
    // Files of an earlier command left in the folder are named: they no longer go
    // with the new ones.
    let o = succeeds(&[
        "run",
        "--customers",
        "300",
        "--interactions",
        "2000",
        "--out",
        dir.arg(),
    ]);
    let err = stderr(&o);
    assert!(
        err.contains("note: clients_excel_fr.csv, interactions_excel_fr.csv, donnees_marketing_excel_fr.csv")
            && err.contains(&format!(" in {} are from an earlier command", dir.arg())),
        "{err}"
    );
    assert!(!err.contains("note: kpis.csv"), "{err}");
    let o = succeeds(&[
        "generate",
        "--customers",
        "300",
        "--interactions",
        "2000",
        "--out",
        dir.arg(),
    ]);
    let err = stderr(&o);
    assert!(
        ["rejects.csv", "kpis.csv", "kpis_excel_fr.csv", "manifest.json"]
            .iter()
            .all(|n| err.contains(n)),
        "{err}"
    );
    assert!(!err.contains("note: clients.csv"), "{err}");
}

#[test]
fn reports_tell_same_named_files_apart_and_say_the_period_and_the_blanked_rows() {
    let dir = TempDir::new("same-names");
    for folder in ["jan", "feb"] {
        fs::create_dir_all(dir.join(folder)).unwrap();
    }
    fs::write(
        dir.join("jan/export.csv"),
        "client_id,age,ville,segment,canal_acquisition\nC1,34,Lyon,Premium,SEO\nC2,45,Paris,Standard,Email\n",
    )
    .unwrap();
    fs::write(
        dir.join("feb/export.csv"),
        "client_id,type_action,valeur_achat,date\nC1,page_vue,,2025-01-02\nC1,achat,10.50,2025-01-03\nC9,achat,3,2025-01-03\n",
    )
    .unwrap();
    let (clients, interactions) = (dir.join("jan/export.csv"), dir.join("feb/export.csv"));
    let (clients, interactions) = (clients.to_str().unwrap(), interactions.to_str().unwrap());
    let out = dir.join("out");
    let o = succeeds(&[
        "run",
        "--clients",
        clients,
        "--interactions",
        interactions,
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert!(err.contains("jan/export.csv: read 2, kept 2, rejected 0"), "{err}");
    assert!(err.contains("feb/export.csv: read 3, kept 2, rejected 1"), "{err}");
    assert!(
        err.contains("period: 2025-01-02 to 2025-01-03 (the first and last dates of the rows kept"),
        "{err}"
    );
    // Two customers, k = 5: every aggregated row is blanked, and said.
    assert!(
        err.contains("rows blanked for k-anonymity (k = 5;") && err.contains("kpis.csv 11 of 11"),
        "{err}"
    );
    let rejects = fs::read_to_string(out.join("rejects.csv")).unwrap();
    assert!(
        rejects
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("feb/export.csv,4,")),
        "{rejects}"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).expect("the manifest is JSON");
    assert!(manifest.to_string().contains("\"jan/export.csv\""), "{manifest}");
    // Files of different names keep their names only.
    let o = succeeds(&[
        "run",
        "--clients",
        &fixture("demo/clients.csv"),
        "--interactions",
        &fixture("demo/donnees_marketing.csv"),
        "--from",
        "2024-03-01",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert!(
        err.contains("\nclients.csv: read ") || err.starts_with("clients.csv: read "),
        "{err}"
    );
    assert!(
        err.contains("(--from or --to, and the rows kept for the other end)"),
        "{err}"
    );
    // A file with a header and no rows: refused, by its name.
    let header_only = dir.join("jan/header.csv");
    fs::write(&header_only, "client_id,age,ville,segment,canal_acquisition\n").unwrap();
    let msg = fails(&[
        "run",
        "--clients",
        header_only.to_str().unwrap(),
        "--interactions",
        interactions,
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(
        msg.contains("header.csv: it has a header but no rows under it"),
        "{msg}"
    );
    // Rows, none kept (every customer unknown): the period is said to be none, not
    // left out or dated 1970.
    let orphans = dir.join("feb/orphans.csv");
    fs::write(
        &orphans,
        "client_id,type_action,valeur_achat,date\nC8,page_vue,,2025-01-02\nC9,achat,3,2025-01-03\n",
    )
    .unwrap();
    let (orphans, out) = (orphans.to_str().unwrap(), out.to_str().unwrap());
    let on_orphans = |more: &[&str]| {
        let o = numberly(
            &[
                &["run", "--clients", clients, "--interactions", orphans][..],
                more,
                &["--out", out],
            ]
            .concat(),
        );
        (o.status.code(), stderr(&o))
    };
    let (code, err) = on_orphans(&[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("period: none (no interaction row kept"), "{err}");
    assert!(!err.contains("1970"), "{err}");
    // One end given: it is both ends, and said so.
    let (_, err) = on_orphans(&["--to", "2025-01-05"]);
    assert!(
        err.contains("period: 2025-01-05 to 2025-01-05 (--from or --to for both ends: no row kept to date the other)"),
        "{err}"
    );
}

/// The first cell of every data row of a CSV output.
fn first_column(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or("").to_string())
        .collect()
}

#[test]
fn channel_and_consent_flags_shape_the_generated_data() {
    let dir = TempDir::new("channels");
    succeeds(&[
        "run",
        "--quiet",
        "--customers",
        "300",
        "--interactions",
        "2000",
        "--channels",
        "SEO:3,Radio:1",
        "--consent-rate",
        "0",
        "--out",
        dir.arg(),
    ]);
    assert_eq!(first_column(&dir.join("by_channel.csv")), ["SEO", "Radio"]);
    assert_eq!(first_column(&dir.join("funnel.csv")), ["all", "SEO", "Radio"]);
    let clients = fs::read_to_string(dir.join("clients.csv")).unwrap();
    let consent: Vec<&str> = clients.lines().skip(1).map(|l| l.rsplit(',').next().unwrap()).collect();
    assert_eq!(consent.len(), 300);
    assert!(
        consent.iter().all(|c| *c == "false"),
        "--consent-rate 0: nobody opted in"
    );

    let out = dir.arg();
    let msg = fails(&["run", "--channels", "SEO:abc", "--out", out]);
    assert!(msg.contains("--channels") && msg.contains("abc"), "{msg}");
    let msg = fails(&["run", "--channels", "SEO:1,seo:2", "--out", out]);
    assert!(msg.contains("channels"), "{msg}");
    let msg = fails(&["run", "--consent-rate", "1.5", "--out", out]);
    assert!(msg.contains("--consent-rate"), "{msg}");
}

#[test]
fn privacy_flags_and_column_mapping() {
    let clients = fixture("demo/clients.csv");
    let interactions = fixture("demo/donnees_marketing.csv");
    let secret = TempDir::new("secret");
    fs::write(secret.join("passphrase.txt"), "une phrase secrète\n").unwrap();
    let pass = secret.join("passphrase.txt").display().to_string();
    let run = |tag: &str, extra: &[&str]| {
        let dir = TempDir::new(tag);
        let mut args = vec![
            "run",
            "--clients",
            &clients,
            "--interactions",
            &interactions,
            "--out",
            dir.arg(),
        ];
        args.extend_from_slice(extra);
        let out = succeeds(&args);
        (dir, stderr(&out))
    };
    let client_ids = |dir: &TempDir| -> Vec<String> {
        fs::read_to_string(dir.join("clients.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap_or_default().to_string())
            .collect()
    };
    // Imported files are pseudonymised by default; a passphrase makes it reproducible.
    let (a, err) = run("pass-a", &["--passphrase-file", &pass]);
    assert!(err.contains("client_id pseudonymised"), "{err}");
    let (b, _) = run("pass-b", &["--passphrase-file", &pass]);
    let ids = client_ids(&a);
    assert_eq!(ids.len(), 12);
    assert!(ids.iter().all(|id| id.starts_with("P_") && id.len() == 22), "{ids:?}");
    assert_eq!(digests(&a), digests(&b), "same passphrase, same bytes");
    // The same passphrase saved by an editor that puts a BOM first.
    fs::write(secret.join("bom.txt"), "\u{feff}une phrase secrète\r\n").unwrap();
    let (bom, _) = run(
        "pass-bom",
        &["--passphrase-file", &secret.join("bom.txt").display().to_string()],
    );
    assert_eq!(digests(&bom), digests(&a), "a BOM is not part of the passphrase");
    let (random, _) = run("random", &[]);
    assert_ne!(client_ids(&random), ids, "no passphrase: a random key");
    let manifest = fs::read_to_string(a.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"key\": \"passphrase\"") && !manifest.contains("secrète"),
        "{manifest}"
    );
    // Off on request; generalised; consent.
    let (plain, _) = run(
        "plain",
        &["--no-pseudonymise", "--age-bands", "--departement-only", "--k", "1"],
    );
    let text = fs::read_to_string(plain.join("clients.csv")).unwrap();
    let first = text.lines().nth(1).unwrap_or_default();
    let cells: Vec<&str> = first.split(',').collect();
    assert!(cells[0].starts_with("C_"), "{first}");
    assert!(
        cells[1].contains('-') || cells[1].ends_with('+'),
        "an age band: {first}"
    );
    assert_eq!((cells[2], cells[5]), ("", ""), "no commune, no postcode: {first}");
    // The demo's files record no consent: --consent-only would leave nobody, and is refused.
    let msg = fails(&[
        "run",
        "--clients",
        &clients,
        "--interactions",
        &interactions,
        "--consent-only",
        "--out",
        plain.arg(),
        "--quiet",
    ]);
    assert!(msg.contains("clients.csv") && msg.contains("consent column"), "{msg}");
    // A bad value is named.
    let out = numberly(&[
        "run",
        "--clients",
        &clients,
        "--interactions",
        &interactions,
        "--k",
        "0",
        "--out",
        plain.arg(),
    ]);
    assert!(
        stderr(&out).contains("--k: expected a whole number of at least 1"),
        "{}",
        stderr(&out)
    );
    // Mapping: a renamed id column is read once mapped.
    let renamed = TempDir::new("renamed");
    let raw = fs::read_to_string(&clients).unwrap().replacen("client_id", "Kunde", 1);
    fs::write(renamed.join("clients.csv"), raw).unwrap();
    let renamed_clients = renamed.join("clients.csv").display().to_string();
    let out = numberly(&[
        "run",
        "--clients",
        &renamed_clients,
        "--interactions",
        &interactions,
        "--out",
        plain.arg(),
    ]);
    assert!(
        stderr(&out).contains("required column `client_id` is missing"),
        "{}",
        stderr(&out)
    );
    let dir = TempDir::new("mapped2");
    let out = succeeds(&[
        "run",
        "--clients",
        &renamed_clients,
        "--interactions",
        &interactions,
        "--map-clients",
        "Kunde=client_id",
        "--out",
        dir.arg(),
    ]);
    assert!(
        stderr(&out).contains("read 12, kept 12, rejected 0"),
        "{}",
        stderr(&out)
    );
}

/// The library's own run of `source`, exported in memory with the privacy `opts`:
/// the outputs and each file's (name, bytes).
fn library_export(
    source: numberly_core::pipeline::Source,
    opts: &numberly_core::privacy::PrivacyOptions,
) -> (Vec<numberly_core::export::Output>, numberly_core::export::MemoryFiles) {
    let clean = numberly_core::clean::CleanOptions::default();
    let p = numberly_core::pipeline::prepare(source, &clean, &mut |_, _| {}).expect("the library runs it");
    let privacy = p.privacy(opts, None).expect("the privacy options apply");
    let filter = numberly_core::metrics::Filter::default();
    numberly_core::export::export_to_memory(&p.export_input(&filter, &privacy)).expect("exports")
}

/// `run --clients --interactions` reads the interactions file piece by piece; the
/// library reading both files whole must give the same bytes, file for file.
#[test]
fn imported_files_give_the_bytes_of_the_whole_file_reading() {
    use numberly_core::pipeline::Source;
    use numberly_core::privacy::PrivacyOptions;
    let passphrase = "une phrase secrète";
    let secret = TempDir::new("secret");
    fs::write(secret.join("passphrase.txt"), format!("{passphrase}\n")).unwrap();
    let pass = secret.join("passphrase.txt").display().to_string();
    for (clients, interactions) in [
        ("demo/clients.csv", "demo/donnees_marketing.csv"),
        ("excel_fr/clients.csv", "excel_fr/interactions.csv"),
        ("excel_utf8_bom/clients.csv", "excel_utf8_bom/interactions.csv"),
        ("quoted/clients.csv", "quoted/interactions.csv"),
        ("tab/clients.tsv", "tab/interactions.tsv"),
    ] {
        let dir = TempDir::new("whole");
        let (c, i) = (fixture(clients), fixture(interactions));
        let args = ["run", "--clients", &c, "--interactions", &i, "--passphrase-file", &pass];
        succeeds(&[&args[..], &["--out", dir.arg(), "--quiet"]].concat());
        let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
        let (cb, ib) = (fs::read(&c).unwrap(), fs::read(&i).unwrap());
        let source = Source::Files {
            clients: (&name(clients), &cb),
            interactions: (&name(interactions), &ib),
        };
        let opts = PrivacyOptions {
            passphrase: Some(passphrase.to_string()),
            ..PrivacyOptions::default()
        };
        let (_, files) = library_export(source, &opts);
        assert_eq!(files.len(), FILES.len());
        for (file, bytes) in files {
            assert!(
                fs::read(dir.join(&file)).unwrap() == bytes,
                "{interactions}: {file} differs from the whole-file reading"
            );
        }
    }
}

/// `run` stores the row-level files' bytes in its direct-I/O blocks as it hashes
/// them. Across many 4 MiB blocks and 65,536-row pieces (about 18 and 31 MB here),
/// the files must hold the bytes of the library's in-memory export, and the
/// manifest their digests.
#[test]
fn files_written_through_direct_io_blocks_hold_the_in_memory_bytes() {
    use numberly_core::generate::GenerateOptions;
    use numberly_core::pipeline::Source;
    use numberly_core::privacy::PrivacyOptions;
    let opts = GenerateOptions {
        customers: 20_000,
        interactions: 300_000,
        seed: 3,
        ..GenerateOptions::default()
    };
    let sizes = (
        opts.customers.to_string(),
        opts.interactions.to_string(),
        opts.seed.to_string(),
    );
    let (outputs, files) = library_export(Source::Generate(opts), &PrivacyOptions::default());
    // The row-level files hashed side by side on one thread, and each on its own.
    for mode in ["paired", "apart"] {
        let dir = TempDir::new(&format!("blocks-{mode}"));
        let out = Command::new(BIN)
            .args(["run", "--quiet"])
            .args(["--customers", &sizes.0, "--interactions", &sizes.1, "--seed", &sizes.2])
            .args(["--out", dir.arg()])
            .env("NUMBERLY_ROW_HASHES", mode)
            .output()
            .expect("the binary runs");
        assert!(out.status.success(), "{mode}: {}", stderr(&out));
        let digests = digests(&dir);
        for ((file, bytes), (name, digest)) in files.iter().zip(&digests) {
            assert_eq!(file, name);
            assert!(
                fs::read(dir.join(file)).unwrap() == *bytes,
                "{mode}: {file} differs from the in-memory export"
            );
            let listed = outputs.iter().find(|o| o.name == *file).expect("listed");
            assert_eq!(&listed.sha256, digest, "{mode}: {file}");
        }
    }
    assert!(files
        .iter()
        .any(|(f, b)| f == "donnees_marketing.csv" && b.len() > 6 * (4 << 20)));
}
