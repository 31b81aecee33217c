//! `sitepack check`: the tree and htpasswd checks, then every `.htaccess`
//! against the operator's conf (from a file or S3) and the base lock's facts.

use super::load_conf;
use crate::error::Error;
use crate::{aws, check, cli, plan};

/// What `sitepack check` found, and the files it read (for a JUnit report's
/// test cases; empty for the other formats).
pub struct Checked {
    pub report: check::Report,
    pub files: Vec<String>,
}

/// `sitepack check`: both stages, with the conf read from a file or S3.
pub async fn check(args: cli::CheckCommand, env: plan::Env<'_>) -> Result<Checked, Error> {
    let facts = match plan::find_lock(args.base_lock.clone())? {
        Some((lock, path)) => {
            let (name, pin) = lock.select(args.base_name.as_deref(), &path).map_err(plan::PlanError::from)?;
            plan::check_facts(name, &pin.platforms.iter().map(|p| &p.facts).collect::<Vec<_>>())
        }
        None => None,
    };
    match &facts {
        Some(f) => tracing::info!("checking for {}", f.shown),
        None => tracing::info!("no base lock: checking for httpd 2.4 unless --httpd-version says otherwise"),
    }
    let settings =
        check::Settings::new(&args.rules.options(), &args.docroot, facts.as_ref()).map_err(plan::PlanError::from)?;
    // Paths given by flag are the operator's; the defaults are the checkout's.
    let site = match args.site {
        Some(path) => path,
        None => plan::default_input("site", crate::layout::SITE)?,
    };
    let htpasswd = match args.htpasswd {
        Some(path) => path,
        None => plan::default_input("htpasswd", crate::layout::HTPASSWD)?,
    };
    plan::check_input("site directory", &site, "--site", true)?;
    plan::check_input("htpasswd file", &htpasswd, "--htpasswd", false)?;
    let tree = check::check_inputs(&check::Inputs { site: &site, htpasswd: &htpasswd }, &settings);
    let conf = match args.httpd_conf {
        None => None,
        Some(text) => {
            let source = plan::conf_source(text)?;
            let account = env("AWS_ACCOUNT_ID");
            let loaded =
                load_conf(&source, None, plan::DEFAULT_CONF_MAX_BYTES, account.as_deref(), &aws::Aws::default())
                    .await?;
            Some((loaded.text(), source.to_string()))
        }
    };
    if conf.is_none() {
        tracing::info!("no --httpd-conf: assuming AllowOverride All and every standard module loaded");
    }
    let mut report = tree.report.clone();
    report.extend(
        check::check_against_conf(conf.as_ref().map(|(t, s)| (t.as_str(), s.as_str())), &tree, &settings).findings,
    );
    report.sort();
    let files = match args.format {
        cli::ReportFormat::Junit => {
            check::format::checked_files(&site, &htpasswd, conf.as_ref().map(|(_, shown)| shown.as_str()))
        }
        _ => Vec::new(),
    };
    Ok(Checked { report, files })
}
