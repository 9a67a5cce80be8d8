//! The `eldercheck` command line: arguments in, exit code out. The arguments' shape is `cli`; what
//! each command does lives in the library (`commands`, `run`, `merge`).

mod cli;

use cli::{BaselineAction, Cli, Command, ReportArgs, StoreArgs};
use eldercheck::checks::check::Lang;
use eldercheck::commands::{self, CommandError};
use eldercheck::i18n;
use eldercheck::options::Problem;
use eldercheck::run::{Publishing, RunError};
use std::process::ExitCode;

/// A panic is one line on the terminal, with page text made safe: the page it happened on becomes an
/// `internal` error entry (the analysis threads catch it) and the run goes on. `RUST_BACKTRACE=1`
/// keeps Rust's own report for developers.
fn install_panic_hook(console: Lang) {
    if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
        return;
    }
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let message: String = message.chars().take(300).collect();
        let place = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let table = i18n::strings(console);
        eprintln!(
            "{}{}",
            i18n::say(table, &["console", "error_prefix"], &[]),
            i18n::say(table, &["console", "internal_error"], &[("place", place), ("message", message)])
        );
    }));
}

fn main() -> ExitCode {
    let console = i18n::console_lang(cli::lang_argument().as_deref());
    install_panic_hook(console);
    // Ctrl+C or SIGTERM: the run stops taking pages and still writes its report (src/interrupt.rs).
    let _ = eldercheck::interrupt::install(move |signal| {
        let values = [("signal", eldercheck::interrupt::name(signal).to_string())];
        eprintln!("{}", i18n::say(i18n::strings(console), &["console", "interrupt_received"], &values));
    });
    let (Cli { command }, matches) = match cli::parse(console) {
        Ok(parsed) => parsed,
        Err(code) => return ExitCode::from(code),
    };
    match run(command, &matches, console) {
        Ok(code) => ExitCode::from(code),
        // The reader went away (`eldercheck checks | head`): nothing more to say, as any tool does.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            let prefix = i18n::say(i18n::strings(console), &["console", "error_prefix"], &[]);
            eprintln!("{prefix}{}", message(&error, console));
            ExitCode::from(2)
        }
    }
}

/// Runs a command; the exit code of a run is its verdict's, every other command's 0.
fn run(command: Command, matches: &clap::ArgMatches, console: Lang) -> anyhow::Result<u8> {
    match command {
        Command::Check(settings) => {
            let given = matches.subcommand_matches("check").unwrap_or(matches);
            let request = commands::check_request(*settings, given, console)?;
            Ok(commands::check(request)?.exit_code())
        }
        Command::Report { results, reports: ReportArgs { out, format, lang } } => {
            commands::write_again(&results, &out, &format, lang, console)?;
            Ok(0)
        }
        Command::Checks { lang, profile } => {
            commands::list_checks(lang, &profile)?;
            Ok(0)
        }
        Command::Explain { check_id, lang, profile } => {
            commands::explain(&check_id, lang, &profile)?;
            Ok(0)
        }
        Command::History { site, db, format } => {
            commands::history(site.as_deref(), &db, &format, console)?;
            Ok(0)
        }
        Command::Merge { shards, reports: ReportArgs { out, format, lang }, store, quiet } => {
            let StoreArgs { db, no_db, keep_runs } = store;
            let publishing = Publishing { out, formats: format, lang, db: (!no_db).then_some(db), keep_runs };
            Ok(commands::merge(shards, publishing, quiet, console)?.exit_code())
        }
        Command::Baseline { action: BaselineAction::Write { report, out, reason } } => {
            commands::write_baseline(&report, &out, &reason, console)?;
            Ok(0)
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}

/// An error in the console's language.
fn message(error: &anyhow::Error, console: Lang) -> String {
    if let Some(problem) = error.downcast_ref::<Problem>() {
        return problem.message(console);
    }
    match error.downcast_ref::<RunError>() {
        Some(RunError::Usage(problem)) => problem.message(console),
        _ => match error.downcast_ref::<CommandError>() {
            Some(CommandError::Problem(problem)) => problem.message(console),
            _ => format!("{error:#}"),
        },
    }
}
