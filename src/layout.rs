//! Where things are, each written once: in the image, as the seed's
//! Dockerfile puts them (`COPY conf/httpd.conf /etc/httpd/conf/`, `COPY
//! users/htpasswd /opt/.htpasswd`, `COPY site/ /var/www/html/`, `EXPOSE
//! 80`); in the contributor's repository; and the files sitepack writes
//! beside it.

/// The document root the site is copied to.
pub const DOCROOT: &str = "/var/www/html";
/// The password file, outside every served path.
pub const HTPASSWD_DEST: &str = "/opt/.htpasswd";
/// The operator's httpd.conf.
pub const HTTPD_CONF_DEST: &str = "/etc/httpd/conf/httpd.conf";
/// The port the image exposes and httpd must listen on.
pub const EXPOSED_PORT: u16 = 80;

/// The contributor's site folder, by default.
pub const SITE: &str = "site";
/// The contributor's password file, by default.
pub const HTPASSWD: &str = "users/htpasswd";
/// A conf in the contributor's repository: never used, warned about.
pub const CONTRIBUTOR_CONF: &str = "conf/httpd.conf";

/// The ECS standard deploy's file, by default.
pub const IMAGE_DEFINITIONS: &str = "imagedefinitions.json";
/// The maintainers' base lock, by default.
pub const BASE_LOCK: &str = "base/base.lock";
