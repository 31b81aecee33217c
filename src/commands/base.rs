//! `sitepack base pin | verify | mirror` as the binary runs them: flags to
//! references, registries connected (auto auth: ECR for ECR hosts, docker's
//! config.json otherwise), the lock read and written.

use std::path::PathBuf;

use crate::aws::Aws;
use crate::base::lock::{Lock, Pin, FORMAT};
use crate::base::pin::{self, Verdict};
use crate::base::Platform;
use crate::cli::{BaseAccess, BaseMirrorArgs, BasePinArgs, BaseVerifyArgs, RegistryAuth};
use crate::connect::{Access, Registries};
use crate::error::Error;
use crate::plan::PlanError;
use crate::reference::Reference;
use crate::registry;

/// What `pin` and `mirror` wrote.
#[derive(Debug, serde::Serialize)]
pub struct PinOutcome {
    pub lock: PathBuf,
    pub name: String,
    pub pin: Pin,
}

fn reference(text: &str, flag: &'static str) -> Result<Reference, PlanError> {
    Reference::parse(text).map_err(|source| PlanError::Reference { flag, source })
}

fn platforms(texts: &[String]) -> Result<Vec<Platform>, PlanError> {
    texts.iter().map(|t| t.parse().map_err(PlanError::from)).collect()
}

/// A lock-table name: given, or the repository's last component.
fn pin_name(given: Option<&str>, reference: &Reference) -> Result<String, PlanError> {
    let name = given
        .map(str::to_owned)
        .unwrap_or_else(|| reference.repository.rsplit('/').next().unwrap_or(&reference.repository).to_owned());
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
    if ok {
        Ok(name)
    } else {
        Err(PlanError::BaseName(name))
    }
}

fn options(access: &BaseAccess) -> registry::Options {
    registry::Options { insecure: access.insecure_registry.clone(), ..Default::default() }
}

fn load_or_new(path: &std::path::Path) -> Result<Lock, Error> {
    if path.exists() {
        Ok(Lock::load(path)?)
    } else {
        Ok(Lock { format: FORMAT, bases: Default::default() })
    }
}

async fn pin_into_lock(
    registries: &mut Registries<'_>,
    reference: &Reference,
    name: String,
    wanted: &[Platform],
    lock_path: PathBuf,
) -> Result<PinOutcome, Error> {
    // Read (and so validated) before the network work, not after.
    let mut lock = load_or_new(&lock_path)?;
    let registry = registries.get(reference).await?;
    let pin = pin::pin(&registry, reference, wanted).await?;
    if let Some(old) = lock.bases.get(&name) {
        if old.reference != pin.reference {
            tracing::warn!("replacing pin `{name}` ({}) with {}", old.reference, pin.reference);
        }
    }
    lock.bases.insert(name.clone(), pin.clone());
    lock.save(&lock_path)?;
    Ok(PinOutcome { lock: lock_path, name, pin })
}

pub async fn pin(args: BasePinArgs) -> Result<PinOutcome, Error> {
    let reference = reference(&args.reference, "REF")?;
    let name = pin_name(args.name.as_deref(), &reference)?;
    let wanted = platforms(&args.platform)?;
    let options = options(&args.access);
    let aws = Aws::default();
    let mut registries = Registries::new(access(&options), &aws);
    pin_into_lock(&mut registries, &reference, name, &wanted, args.access.base_lock).await
}

fn access(options: &registry::Options) -> Access<'_> {
    Access { options, auth: RegistryAuth::Auto, auth_host: None, aws_account: None }
}

pub async fn verify(args: BaseVerifyArgs) -> Result<Vec<Verdict>, Error> {
    let lock = Lock::load(&args.access.base_lock)?;
    let names: Vec<String> = match &args.name {
        Some(n) => vec![lock.select(Some(n), &args.access.base_lock)?.0.to_owned()],
        None if lock.bases.is_empty() => {
            return Err(crate::base::lock::LockError::Empty { path: args.access.base_lock.clone() }.into())
        }
        None => lock.bases.keys().cloned().collect(),
    };
    let options = options(&args.access);
    let aws = Aws::default();
    let mut registries = Registries::new(access(&options), &aws);
    let mut verdicts = Vec::new();
    for name in names {
        let pin = &lock.bases[&name];
        let verdict = match registries.get(&pin.pinned_reference()).await {
            Ok(registry) => pin::verify(&registry, &name, pin).await,
            Err(e) => Verdict {
                name: name.clone(),
                reference: pin.reference.clone(),
                pinned: pin.pinned_reference().digest.expect("pinned"),
                state: pin::State::Error { message: e.to_string() },
            },
        };
        verdicts.push(verdict);
    }
    Ok(verdicts)
}

pub async fn mirror(args: BaseMirrorArgs) -> Result<(Reference, Option<PinOutcome>), Error> {
    let source = reference(&args.source, "SRC")?;
    let mut destination = reference(&args.destination, "DST")?;
    if destination.digest.is_some() {
        return Err(PlanError::ImageHasDigest { image: args.destination.clone() }.into());
    }
    if destination.tag.is_none() {
        destination.tag = source.tag.clone();
    }
    let name = pin_name(args.name.as_deref(), &destination)?;
    let wanted = platforms(&args.platform)?;
    let options = options(&args.access);
    let aws = Aws::default();
    let mut registries = Registries::new(access(&options), &aws);
    let src_reg = registries.get(&source).await?;
    let dst_reg = registries.get(&destination).await?;
    let digest = pin::mirror(&src_reg, &source, &dst_reg, &destination).await?;
    tracing::info!("mirrored {source} → {destination} ({digest}, unchanged)");
    let mirrored = Reference { digest: Some(digest), ..destination.clone() };
    if args.no_pin {
        return Ok((mirrored, None));
    }
    // Pin by the tag just written, checked against the copied digest.
    let outcome = pin_into_lock(&mut registries, &mirrored, name, &wanted, args.access.base_lock).await?;
    Ok((mirrored, Some(outcome)))
}
