//! The new image: the base config patched as raw JSON (so fields sitepack
//! does not model survive, and key order is canonical) and a manifest that
//! lists the base layers then ours. Both are serialised once; those exact
//! bytes are digested, pushed and written.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::{json, Map, Value};

use crate::base::{BaseImage, Family};
use crate::digest::Digest;
use crate::layer::Layer;

/// The seed's entrypoint; a base `Cmd` would be appended to it, so Cmd is cleared.
pub const ENTRYPOINT: [&str; 5] = ["/usr/sbin/httpd", "-e", "DEBUG", "-D", "FOREGROUND"];
/// `EXPOSE 80` as the config names it.
pub fn exposed_port() -> String {
    format!("{}/tcp", crate::layout::EXPOSED_PORT)
}

/// A serialised document and the digest of exactly those bytes.
#[derive(Debug, Clone)]
pub struct Blob {
    pub bytes: Bytes,
    pub digest: Digest,
    pub media_type: &'static str,
}

impl Blob {
    fn canonical(value: &Value, media_type: &'static str) -> Blob {
        // serde_json's Map is a BTreeMap (no `preserve_order` feature here):
        // keys come out sorted and compact, the same bytes on every run.
        let bytes = Bytes::from(serde_json::to_vec(value).expect("JSON values always serialise"));
        Blob { digest: Digest::of_bytes(&bytes), bytes, media_type }
    }

    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }
}

#[derive(Debug, Clone)]
pub struct NewImage {
    pub config: Blob,
    pub manifest: Blob,
    pub family: Family,
}

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("base image config {digest}: {detail}")]
    BaseConfig { digest: Digest, detail: &'static str },
}

/// Labels (config) and annotations (OCI manifest) describing the build.
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    /// RFC 3339, from the build epoch.
    pub created: String,
    pub revision: Option<String>,
    pub source: Option<String>,
    /// More annotations (where the httpd.conf came from).
    pub extra: BTreeMap<String, String>,
}

impl Metadata {
    fn annotations(&self, base: &BaseImage) -> BTreeMap<String, String> {
        let mut base_name = base.reference.clone();
        base_name.digest = None;
        let mut out = BTreeMap::new();
        out.insert("org.opencontainers.image.created".into(), self.created.clone());
        out.insert("org.opencontainers.image.base.name".into(), base_name.to_string());
        out.insert("org.opencontainers.image.base.digest".into(), base.manifest_digest.to_string());
        if let Some(r) = &self.revision {
            out.insert("org.opencontainers.image.revision".into(), r.clone());
        }
        if let Some(s) = &self.source {
            out.insert("org.opencontainers.image.source".into(), s.clone());
        }
        out.extend(self.extra.clone());
        out
    }
}

/// Builds config and manifest for `family` (the base's own family for a
/// registry push; OCI for layout outputs).
pub fn assemble(base: &BaseImage, layers: &[Layer], meta: &Metadata, family: Family) -> Result<NewImage, ImageError> {
    let config = patch_config(base, layers, meta)?;
    let config = Blob::canonical(&config, family.config_type());

    let mut manifest_layers: Vec<Value> = base
        .layers
        .iter()
        .map(|l| {
            let mut d = l.descriptor.clone();
            if family == Family::Oci {
                convert_layer_type(&mut d);
            }
            d
        })
        .collect();
    manifest_layers
        .extend(layers.iter().map(|l| json!({"mediaType": family.layer_type(), "digest": l.digest, "size": l.size})));
    let mut manifest = json!({
        "schemaVersion": 2,
        "mediaType": family.manifest_type(),
        "config": {"mediaType": config.media_type, "digest": config.digest, "size": config.size()},
        "layers": manifest_layers,
    });
    // Docker schema 2 has no annotations; there the labels carry the same facts.
    if family == Family::Oci {
        manifest["annotations"] = json!(meta.annotations(base));
    }
    Ok(NewImage { manifest: Blob::canonical(&manifest, family.manifest_type()), config, family })
}

/// An index over one image per platform: a Docker manifest list when every
/// image is Docker schema 2, else an OCI index. Each entry's platform is
/// what the image's own config says.
pub fn index(images: &[(&BaseImage, &NewImage)], meta: &Metadata) -> Blob {
    use crate::registry::media;
    let docker = images.iter().all(|(_, i)| i.family == Family::Docker);
    let media_type = if docker { media::DOCKER_LIST } else { media::OCI_INDEX };
    let manifests: Vec<Value> = images
        .iter()
        .map(|(base, image)| {
            let field = |k: &str| base.config.get(k).cloned().unwrap_or(Value::Null);
            let mut platform = json!({"os": field("os"), "architecture": field("architecture")});
            if let Some(v) = base.config.get("variant").filter(|v| v.is_string()) {
                platform["variant"] = v.clone();
            }
            json!({
                "mediaType": image.manifest.media_type,
                "digest": image.manifest.digest,
                "size": image.manifest.size(),
                "platform": platform,
            })
        })
        .collect();
    let mut index = json!({"schemaVersion": 2, "mediaType": media_type, "manifests": manifests});
    if !docker {
        let mut annotations = BTreeMap::new();
        annotations.insert("org.opencontainers.image.created", meta.created.clone());
        if let Some(r) = &meta.revision {
            annotations.insert("org.opencontainers.image.revision", r.clone());
        }
        if let Some(s) = &meta.source {
            annotations.insert("org.opencontainers.image.source", s.clone());
        }
        index["annotations"] = json!(annotations);
    }
    Blob::canonical(&index, media_type)
}

fn convert_layer_type(descriptor: &mut Value) {
    use crate::registry::media;
    let new = match descriptor.get("mediaType").and_then(Value::as_str) {
        Some(media::DOCKER_LAYER_GZIP) => media::OCI_LAYER_GZIP,
        Some("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip") => {
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
        }
        _ => return,
    };
    descriptor["mediaType"] = json!(new);
}

fn patch_config(base: &BaseImage, layers: &[Layer], meta: &Metadata) -> Result<Value, ImageError> {
    let bad = |detail| ImageError::BaseConfig { digest: base.manifest_digest.clone(), detail };
    let mut config = base.config.clone();
    let root = config.as_object_mut().ok_or_else(|| bad("is not a JSON object"))?;
    root.insert("created".into(), json!(meta.created));

    let run = object_entry(root, "config").ok_or_else(|| bad("`config` is not an object"))?;
    run.insert("Entrypoint".into(), json!(ENTRYPOINT));
    run.remove("Cmd");
    object_entry(run, "ExposedPorts")
        .ok_or_else(|| bad("`config.ExposedPorts` is not an object"))?
        .insert(exposed_port(), json!({}));
    let labels = object_entry(run, "Labels").ok_or_else(|| bad("`config.Labels` is not an object"))?;
    for (k, v) in meta.annotations(base) {
        labels.insert(k, json!(v));
    }

    let rootfs = object_entry(root, "rootfs").ok_or_else(|| bad("`rootfs` is not an object"))?;
    rootfs.insert("type".into(), json!("layers"));
    let diff_ids = array_entry(rootfs, "diff_ids").ok_or_else(|| bad("`rootfs.diff_ids` is not an array"))?;
    diff_ids.extend(layers.iter().map(|l| json!(l.diff_id)));

    let history = array_entry(root, "history").ok_or_else(|| bad("`history` is not an array"))?;
    for layer in layers {
        history.push(json!({"created": meta.created, "created_by": layer.created_by, "comment": "sitepack"}));
    }
    for line in [format!("EXPOSE {}", crate::layout::EXPOSED_PORT), format!("ENTRYPOINT {}", json!(ENTRYPOINT))] {
        history.push(json!({"created": meta.created, "created_by": line, "comment": "sitepack", "empty_layer": true}));
    }
    Ok(config)
}

/// The object under `key`, created when missing or null.
fn object_entry<'a>(map: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Map<String, Value>> {
    let v = map.entry(key).or_insert_with(|| json!({}));
    if v.is_null() {
        *v = json!({});
    }
    v.as_object_mut()
}

fn array_entry<'a>(map: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Vec<Value>> {
    let v = map.entry(key).or_insert_with(|| json!([]));
    if v.is_null() {
        *v = json!([]);
    }
    v.as_array_mut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::{BaseLayer, Platform};
    use crate::reference::Reference;
    use std::path::PathBuf;

    fn d(c: char) -> Digest {
        Digest::parse(&format!("sha256:{}", c.to_string().repeat(64))).unwrap()
    }

    fn base(family: Family) -> BaseImage {
        BaseImage {
            reference: Reference::parse(&format!("reg.example/httpd:2.4@{}", d('a'))).unwrap(),
            pinned_digest: d('a'),
            manifest_digest: d('a'),
            family,
            platform: Platform::default(),
            config: json!({
                "architecture": "amd64", "os": "linux", "zz_unknown": {"kept": true},
                "config": {"Cmd": ["httpd-foreground"], "ExposedPorts": {"443/tcp": {}}, "Env": ["PATH=/usr/bin"], "Labels": null},
                "rootfs": {"type": "layers", "diff_ids": [d('b')]},
                "history": [{"created_by": "base"}]
            }),
            layers: vec![BaseLayer {
                digest: d('c'),
                size: 10,
                descriptor: json!({"mediaType": crate::registry::media::DOCKER_LAYER_GZIP, "digest": d('c'), "size": 10, "urls": ["x"]}),
            }],
        }
    }

    fn layer(c: char) -> Layer {
        Layer {
            digest: d(c),
            diff_id: d('e'),
            size: 5,
            files: 1,
            path: Some(PathBuf::from("/nonexistent")),
            created_by: format!("COPY {c}"),
        }
    }

    fn meta() -> Metadata {
        Metadata {
            created: "2024-01-02T03:04:05Z".into(),
            revision: Some("abc".into()),
            source: None,
            extra: BTreeMap::new(),
        }
    }

    #[test]
    fn config_sets_entrypoint_clears_cmd_and_appends_layers() {
        let img = assemble(&base(Family::Docker), &[layer('1'), layer('2')], &meta(), Family::Docker).unwrap();
        let cfg: Value = serde_json::from_slice(&img.config.bytes).unwrap();
        assert_eq!(cfg.pointer("/config/Entrypoint").unwrap(), &json!(ENTRYPOINT));
        assert!(cfg.pointer("/config/Cmd").is_none(), "Cmd must be cleared");
        assert_eq!(cfg.pointer("/config/ExposedPorts").unwrap(), &json!({"443/tcp": {}, "80/tcp": {}}));
        assert_eq!(cfg.pointer("/config/Env").unwrap(), &json!(["PATH=/usr/bin"]));
        assert_eq!(cfg["zz_unknown"], json!({"kept": true}), "unknown fields survive");
        assert_eq!(cfg["created"], json!("2024-01-02T03:04:05Z"));
        assert_eq!(cfg.pointer("/rootfs/diff_ids").unwrap(), &json!([d('b'), d('e'), d('e')]));
        let history = cfg["history"].as_array().unwrap();
        assert_eq!(history.len(), 1 + 2 + 2);
        assert_eq!(history[1]["created_by"], json!("COPY 1"));
        assert_eq!(history[4]["empty_layer"], json!(true));
        assert_eq!(cfg.pointer("/config/Labels/org.opencontainers.image.revision").unwrap(), "abc");
        assert_eq!(cfg.pointer("/config/Labels/org.opencontainers.image.base.name").unwrap(), "reg.example/httpd:2.4");
    }

    #[test]
    fn manifest_is_canonical_and_keeps_the_base_family() {
        let img = assemble(&base(Family::Docker), &[layer('1')], &meta(), Family::Docker).unwrap();
        let text = std::str::from_utf8(&img.manifest.bytes).unwrap();
        assert!(!text.contains('\n') && !text.contains(": "), "compact: {text}");
        // Sorted keys: config < layers < mediaType < schemaVersion.
        let order: Vec<usize> =
            ["\"config\"", "\"layers\"", "\"mediaType\":\"application/vnd.docker.distribution", "\"schemaVersion\""]
                .iter()
                .map(|k| text.find(k).unwrap_or_else(|| panic!("{k} in {text}")))
                .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert_eq!(img.manifest.digest, Digest::of_bytes(&img.manifest.bytes));
        assert_eq!(img.config.digest, Digest::of_bytes(&img.config.bytes));
        let m: Value = serde_json::from_slice(&img.manifest.bytes).unwrap();
        assert_eq!(m["layers"][0]["urls"], json!(["x"]), "base descriptor kept whole");
        assert_eq!(m["layers"][1]["mediaType"], json!(crate::registry::media::DOCKER_LAYER_GZIP));
        assert!(m.get("annotations").is_none());
        // Same inputs, same bytes.
        let again = assemble(&base(Family::Docker), &[layer('1')], &meta(), Family::Docker).unwrap();
        assert_eq!(again.manifest.bytes, img.manifest.bytes);
    }

    #[test]
    fn oci_output_converts_docker_layer_types_and_annotates() {
        let img = assemble(&base(Family::Docker), &[layer('1')], &meta(), Family::Oci).unwrap();
        let m: Value = serde_json::from_slice(&img.manifest.bytes).unwrap();
        assert_eq!(m["mediaType"], json!(crate::registry::media::OCI_MANIFEST));
        assert_eq!(m["config"]["mediaType"], json!(crate::registry::media::OCI_CONFIG));
        assert_eq!(m["layers"][0]["mediaType"], json!(crate::registry::media::OCI_LAYER_GZIP));
        assert_eq!(m["annotations"]["org.opencontainers.image.base.digest"], json!(d('a')));
    }

    /// What sitepack writes conforms to the OCI image spec: every manifest,
    /// index and config, of both families, parses with oci-spec's types
    /// and says back what was written.
    #[test]
    fn what_sitepack_writes_parses_with_the_oci_spec_types() {
        use oci_spec::image::{ImageConfiguration, ImageIndex, ImageManifest};
        for family in [Family::Docker, Family::Oci] {
            let b = base(family);
            let img = assemble(&b, &[layer('1'), layer('2')], &meta(), family).unwrap();
            let manifest = ImageManifest::from_reader(&img.manifest.bytes[..]).unwrap();
            assert_eq!(manifest.config().digest().to_string(), img.config.digest.to_string());
            assert_eq!(manifest.layers().len(), b.layers.len() + 2, "{family:?}");
            let config = ImageConfiguration::from_reader(&img.config.bytes[..]).unwrap();
            let entrypoint = config.config().as_ref().and_then(|c| c.entrypoint().clone()).unwrap();
            assert_eq!(entrypoint, ENTRYPOINT.map(String::from));
            assert_eq!(config.rootfs().diff_ids().len(), manifest.layers().len());
            let other = assemble(&b, &[layer('3')], &meta(), family).unwrap();
            let index = index(&[(&b, &img), (&b, &other)], &meta());
            let parsed = ImageIndex::from_reader(&index.bytes[..]).unwrap();
            assert_eq!(parsed.manifests().len(), 2);
            assert_eq!(parsed.manifests()[0].digest().to_string(), img.manifest.digest.to_string());
        }
    }
}
