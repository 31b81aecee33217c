//! The `sitepack` binary: parse, set up logging, call the library, map the
//! outcome to an exit code. Results go to stdout, everything else to stderr.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use sitepack::cli::{BaseCommand, Cli, Command, ReportFormat};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(sitepack::error::EXIT_FAILED);
        }
    };
    match cli.command {
        Command::Check(args) => {
            let format = args.format;
            match runtime.block_on(sitepack::commands::check::check(*args, &sitepack::plan::process_env)) {
                Ok(sitepack::commands::check::Checked { report, files }) => {
                    use sitepack::check::format;
                    let text = match format {
                        ReportFormat::Json => serde_json::to_string_pretty(&report).expect("report serialises") + "\n",
                        ReportFormat::Human => report.render(),
                        ReportFormat::Github => format::github(&report),
                        ReportFormat::Junit => format::junit(&report, &files),
                    };
                    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
                        return ExitCode::from(sitepack::error::EXIT_FAILED);
                    }
                    // 0 clean or warnings only, 1 errors found.
                    ExitCode::from(u8::from(report.errors() > 0))
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(e.exit_code())
                }
            }
        }
        Command::Base(command) => base(&runtime, command),
        Command::Preview(args) => preview(runtime, *args),
        Command::Build(args) => {
            let json = args.json;
            let plan = match sitepack::commands::build::plan(*args, &sitepack::plan::process_env) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(e.exit_code());
                }
            };
            let deploy_files: Vec<std::path::PathBuf> = plan.deploy.paths().iter().map(|p| p.to_path_buf()).collect();
            let outcome = runtime.block_on(async {
                let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(t) => t,
                    Err(e) => return Outcome::Failed(format!("cannot watch for SIGTERM: {e}")),
                };
                tokio::select! {
                    result = sitepack::commands::build::build(plan) => Outcome::Finished(Box::new(result)),
                    _ = tokio::signal::ctrl_c() => Outcome::Interrupted("SIGINT"),
                    _ = term.recv() => Outcome::Interrupted("SIGTERM"),
                }
            });
            match outcome {
                Outcome::Finished(result) => match *result {
                    Ok(report) => {
                        let text = if json {
                            serde_json::to_string_pretty(&report).expect("report serialises")
                        } else {
                            report.digest.to_string()
                        };
                        let mut out = std::io::stdout().lock();
                        if writeln!(out, "{text}").is_err() {
                            return ExitCode::from(sitepack::error::EXIT_FAILED);
                        }
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        ExitCode::from(e.exit_code())
                    }
                },
                Outcome::Interrupted(signal) => {
                    // Uploads stop with the dropped future; a tag only ever
                    // moves to a complete image, so what matters is that no
                    // deploy file points anywhere.
                    for path in &deploy_files {
                        let _ = std::fs::remove_file(path);
                    }
                    eprintln!(
                        "sitepack: interrupted by {signal}: stopped; the tag still names a complete image and no deploy file was written; rerun to finish"
                    );
                    // Layer work on blocking threads is abandoned, not awaited.
                    runtime.shutdown_background();
                    ExitCode::from(signal_exit_code(signal))
                }
                Outcome::Failed(message) => {
                    eprintln!("error: {message}");
                    ExitCode::from(sitepack::error::EXIT_FAILED)
                }
            }
        }
    }
}

/// Runs a preview until Ctrl-C or SIGTERM (or detaches); what it serves on stdout.
fn preview(runtime: tokio::runtime::Runtime, args: sitepack::cli::PreviewArgs) -> ExitCode {
    use sitepack::commands::preview;
    use tokio::signal::unix::{signal, SignalKind};
    // Watched from the start, so no signal finds the default action (which
    // would leave the temporary folder or the container behind).
    let signals = {
        let _entered = runtime.enter();
        signal(SignalKind::interrupt()).and_then(|i| Ok((i, signal(SignalKind::terminate())?)))
    };
    let (mut interrupt, mut terminate) = match signals {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot watch for SIGINT and SIGTERM: {e}");
            return ExitCode::from(sitepack::error::EXIT_FAILED);
        }
    };
    let stop = async move {
        tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        }
    };
    let ready = |running: &preview::Running| {
        let mut out = std::io::stdout().lock();
        // A closed stdout does not stop the preview; Ctrl-C does.
        let _ = out.write_all(running.render().as_bytes()).and_then(|()| out.flush());
    };
    let result = runtime.block_on(preview::preview(args, &sitepack::plan::process_env, stop, ready));
    // Layer work abandoned by an interrupted build is not awaited.
    runtime.shutdown_background();
    match result {
        Ok(preview::Ended::Detached | preview::Ended::Stopped) => ExitCode::SUCCESS,
        Ok(preview::Ended::Interrupted(signal)) => {
            eprintln!("sitepack: interrupted by {signal} before the preview ran; nothing is left behind");
            ExitCode::from(signal_exit_code(signal))
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Verify: 0 every pin unchanged, 1 an error, 3 an update available.
const EXIT_UPDATE_AVAILABLE: u8 = 3;

fn base(runtime: &tokio::runtime::Runtime, command: BaseCommand) -> ExitCode {
    use sitepack::base::pin::State;
    use sitepack::commands::base as commands;
    let fail = |e: sitepack::Error| {
        eprintln!("error: {e}");
        ExitCode::from(e.exit_code())
    };
    let (text, code) = match command {
        BaseCommand::Pin(args) => match runtime.block_on(commands::pin(args)) {
            Ok(outcome) => (render_pin(&outcome), ExitCode::SUCCESS),
            Err(e) => return fail(e),
        },
        BaseCommand::Mirror(args) => match runtime.block_on(commands::mirror(args)) {
            Ok((mirrored, outcome)) => {
                let mut text = format!("{mirrored}\n");
                if let Some(o) = outcome {
                    text.push_str(&render_pin(&o));
                }
                (text, ExitCode::SUCCESS)
            }
            Err(e) => return fail(e),
        },
        BaseCommand::Verify(args) => {
            let json = args.json;
            match runtime.block_on(commands::verify(args)) {
                Ok(verdicts) => {
                    let code = if verdicts.iter().any(|v| matches!(v.state, State::Error { .. })) {
                        sitepack::error::EXIT_FAILED
                    } else if verdicts.iter().any(|v| matches!(v.state, State::UpdateAvailable { .. })) {
                        EXIT_UPDATE_AVAILABLE
                    } else {
                        0
                    };
                    let text = if json {
                        serde_json::to_string_pretty(&verdicts).expect("verdicts serialise") + "\n"
                    } else {
                        verdicts.iter().map(|v| format!("{v}\n")).collect()
                    };
                    (text, ExitCode::from(code))
                }
                Err(e) => return fail(e),
            }
        }
    };
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        return ExitCode::from(sitepack::error::EXIT_FAILED);
    }
    code
}

fn render_pin(o: &sitepack::commands::base::PinOutcome) -> String {
    let mut text = format!("pinned `{}` in {}: {}\n", o.name, o.lock.display(), o.pin.pinned_reference());
    for p in &o.pin.platforms {
        let f = &p.facts;
        text.push_str(&format!(
            "  {} {}: httpd {} ({}), conf {}, user {} ({}), {} built-in and {} loadable modules\n",
            p.platform,
            p.manifest,
            f.httpd_version,
            f.httpd_binary,
            f.conf,
            f.user.as_deref().unwrap_or("?"),
            f.uid.map_or("no uid".to_owned(), |u| format!("uid {u}")),
            f.builtin_modules.len(),
            f.dso_modules.len()
        ));
    }
    text
}

enum Outcome {
    Finished(Box<Result<sitepack::commands::build::BuildReport, sitepack::Error>>),
    Interrupted(&'static str),
    Failed(String),
}

/// The shell's code for a process ended by `signal` (SIGINT or SIGTERM):
/// 128 + the signal's number.
fn signal_exit_code(signal: &str) -> u8 {
    if signal == "SIGTERM" {
        143
    } else {
        130
    }
}

fn init_logging(verbose: u8, quiet: bool) {
    use tracing_subscriber::filter::{filter_fn, EnvFilter};
    use tracing_subscriber::prelude::*;

    let default = match (quiet, verbose) {
        (true, _) => "warn",
        (false, 0) => "sitepack=info,warn",
        (false, 1) => "sitepack=debug,info",
        (false, _) => "sitepack=trace,debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // At TRACE the AWS SDK prints whole requests (the SigV4 Authorization
    // header, session tokens) and responses (the ECR token itself), and the
    // HTTP crates print frames. Whatever RUST_LOG asks, those stay at DEBUG.
    let no_secrets = filter_fn(|meta| {
        *meta.level() != tracing::Level::TRACE || !SECRET_BEARING_TARGETS.iter().any(|t| meta.target().starts_with(t))
    });
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        // Colour only for people: CodeBuild logs stay plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .without_time();
    tracing_subscriber::registry().with(stderr.with_filter(filter).with_filter(no_secrets)).init();
}

const SECRET_BEARING_TARGETS: &[&str] = &["aws_", "hyper", "h2", "reqwest", "rustls", "tower", "http"];
