//! Apache httpd directives as `.htaccess` sees them, for httpd 2.2 and 2.4:
//! which module defines each, whether it may appear in `.htaccess` at all,
//! and which `AllowOverride` class it needs there. From Apache's directive
//! reference (httpd.apache.org/docs/2.2/mod/ and /docs/2.4/mod/); where the
//! running server disagrees, tests/htaccess_apache.rs records it and the
//! server wins.

// How the table was assembled, and what is uncertain:
//
// * httpd 2.4 is Debian's apache2 2.4.71 with every module it ships loaded (the event MPM, then
//   prefork and worker for their own directives). `apache2 -L` gives each directive's command-table
//   override bits; then every directive was written into a real .htaccess (several argument shapes)
//   under `AllowOverride All` and requested. Handlers that refuse .htaccess themselves ("cannot occur
//   within htaccess files": LuaHookTranslateName, LuaQuickHandler, LuaMapHandler, LuaInputFilter,
//   LuaOutputFilter, ProxyHCTemplate, ProxyHCExpr) and directives whose handler always fails
//   (FancyIndexing, SSLLog, SSLLogLevel, LuaHookInsertFilter, Lua_____ByteCodeHack) are `ServerOnly`.
//   Names (spelling), modules and `since_24` come from the 2.4.71 manual (Debian's apache2-doc): the
//   directive's Compatibility line, or its module's when the module arrived during 2.4 (mod_http2
//   2.4.17, mod_md 2.4.30, mod_brotli 2.4.26, ...), or upstream CHANGES where the manual is silent
//   (LuaMapHandler, LuaCodeCache: 2.4.5) or says "2.5.1" (ListenTCPDeferAccept, H2MaxStreamErrors:
//   2.4.66). Directives the manual documents but Debian's build lacks (Windows, NetWare, Solaris,
//   example and debugging modules) follow the manual.
// * Trailing comments: "docs: ..." marks an entry where the 2.4 manual disagrees with the server (the
//   server is kept); "docs list .htaccess" means the manual's Context has .htaccess but httpd refuses
//   it there; "docs give no Override" means the manual allows .htaccess without naming a class.
// * One class per entry. httpd accepts <Limit>/<LimitExcept> under AuthConfig *or* Limit, and
//   H2PushResource/H2EarlyHint under AuthConfig *or* FileInfo; the entry names one (AuthConfig,
//   FileInfo) and a checker will wrongly refuse them where only the other class is granted.
// * `Always` is httpd's "when AllowOverride isn't None": any one granted class will do.
// * httpd 2.2 has no server here. Its list is the 2.2 directive index plus the 2.2.15-2.2.32 additions
//   (CacheLock*, FallbackResource, HttpProtocolOptions, MaxRanges, RequestReadTimeout, SSIETag,
//   SSILastModified, SSLCompression, SSLInsecureRenegotiation, AuthLDAPBindAuthoritative) and the
//   undocumented registrations (Port, GprofDir, FancyIndexing, SSLLog, SSLLogLevel); classes come from
//   the 2.2 module pages and the 2.0/2.2 command tables. Written independently of the 2.4 column, it
//   agrees with it wherever a directive exists in both, except <Limit>/<LimitExcept> (any class in
//   2.2), SSLCACertificateFile/Path (server config only in 2.2) and FancyIndexing (working in 2.2).
//   Least certain for 2.2: SSIEnableAccess, SSIETag, SSILastModified (pages give no Override; Limit as
//   in 2.4's code), AuthDigestNcCheck (AuthConfig as in the code), LDAPTrustedClientCert; MergeTrailers,
//   DeflateInflate*, LDAPReferrals and other late 2.2.x backports are left Absent.
// * Modules are the manual's: "core" also for http_core; "mod_ldap" for util_ldap; "mpm_common" for the
//   MPM directives the manual groups there (and for the old names MaxClients, MaxRequestsPerChild);
//   ScriptLog* is "mod_cgi" though mod_cgid registers it too, HeartbeatStorage "mod_heartmonitor".

/// `AllowOverride` classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    AuthConfig,
    FileInfo,
    Indexes,
    Limit,
    Options,
}

/// Where a directive stands in one httpd version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The version does not have it.
    Absent,
    /// Exists, but not allowed in .htaccess (server config / virtual host / directory only).
    ServerOnly,
    /// Allowed in .htaccess when AllowOverride grants this class.
    Htaccess(Class),
    /// Allowed in .htaccess whatever AllowOverride says (Override: "not applicable" but context includes .htaccess).
    Always,
}

#[derive(Debug, Clone, Copy)]
pub struct Directive {
    /// As documented (case is not significant to httpd).
    pub name: &'static str,
    /// Short module name as the manual gives it: "core", "mod_rewrite", "mod_authz_core", "mpm_common".
    pub module_22: &'static str, // "" when absent in 2.2
    pub module_24: &'static str, // "" when absent in 2.4
    pub v22: Rule,
    pub v24: Rule,
    /// Earliest 2.4.x that has it, when the reference says "Available in 2.4.N and later" (0 otherwise).
    pub since_24: u16,
}

use self::Class::{AuthConfig, FileInfo, Indexes, Limit, Options};
use self::Rule::{Absent, Always, Htaccess, ServerOnly};

const fn d(
    name: &'static str,
    module_22: &'static str,
    module_24: &'static str,
    v22: Rule,
    v24: Rule,
    since_24: u16,
) -> Directive {
    Directive { name, module_22, module_24, v22, v24, since_24 }
}

/// Directives, sorted by lowercase name.
#[rustfmt::skip]
pub static DIRECTIVES: &[Directive] = &[
    d("AcceptFilter", "core", "core", ServerOnly, ServerOnly, 0),
    d("AcceptMutex", "mpm_common", "", ServerOnly, Absent, 0),
    d("AcceptPathInfo", "core", "core", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("AccessFileName", "core", "core", ServerOnly, ServerOnly, 0),
    d("Action", "mod_actions", "mod_actions", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("AddAlt", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("AddAltByEncoding", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("AddAltByType", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("AddCharset", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("AddDefaultCharset", "core", "core", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("AddDescription", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("AddEncoding", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("AddHandler", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("AddIcon", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("AddIconByEncoding", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("AddIconByType", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("AddInputFilter", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("AddLanguage", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("AddModuleInfo", "mod_info", "mod_info", ServerOnly, ServerOnly, 0),
    d("AddOutputFilter", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("AddOutputFilterByType", "core", "mod_filter", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("AddType", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("Alias", "mod_alias", "mod_alias", ServerOnly, ServerOnly, 0),
    d("AliasMatch", "mod_alias", "mod_alias", ServerOnly, ServerOnly, 0),
    d("AliasPreservePath", "", "mod_alias", Absent, Htaccess(FileInfo), 58), // docs: not in .htaccess
    d("Allow", "mod_authz_host", "mod_access_compat", Htaccess(Limit), Htaccess(Limit), 0),
    d("AllowCONNECT", "mod_proxy", "mod_proxy_connect", ServerOnly, ServerOnly, 0),
    d("AllowEncodedSlashes", "core", "core", ServerOnly, ServerOnly, 0),
    d("AllowMethods", "", "mod_allowmethods", Absent, ServerOnly, 0),
    d("AllowOverride", "core", "core", ServerOnly, ServerOnly, 0),
    d("AllowOverrideList", "", "core", Absent, ServerOnly, 0),
    d("Anonymous", "mod_authn_anon", "mod_authn_anon", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("Anonymous_LogEmail", "mod_authn_anon", "mod_authn_anon", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("Anonymous_MustGiveEmail", "mod_authn_anon", "mod_authn_anon", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("Anonymous_NoUserID", "mod_authn_anon", "mod_authn_anon", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("Anonymous_VerifyEmail", "mod_authn_anon", "mod_authn_anon", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AsyncRequestWorkerFactor", "", "event", Absent, ServerOnly, 0),
    d("AuthBasicAuthoritative", "mod_auth_basic", "mod_auth_basic", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthBasicFake", "", "mod_auth_basic", Absent, Htaccess(AuthConfig), 5),
    d("AuthBasicProvider", "mod_auth_basic", "mod_auth_basic", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthBasicUseDigestAlgorithm", "", "mod_auth_basic", Absent, Htaccess(AuthConfig), 7),
    d("AuthDBDUserPWQuery", "mod_authn_dbd", "mod_authn_dbd", ServerOnly, ServerOnly, 0),
    d("AuthDBDUserRealmQuery", "mod_authn_dbd", "mod_authn_dbd", ServerOnly, ServerOnly, 0),
    d("AuthDBMGroupFile", "mod_authz_dbm", "mod_authz_dbm", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthDBMType", "mod_authn_dbm", "mod_authn_dbm", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthDBMUserFile", "mod_authn_dbm", "mod_authn_dbm", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthDefaultAuthoritative", "mod_authn_default", "", Htaccess(AuthConfig), Absent, 0),
    d("AuthDigestAlgorithm", "mod_auth_digest", "mod_auth_digest", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthDigestDomain", "mod_auth_digest", "mod_auth_digest", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthDigestNcCheck", "mod_auth_digest", "mod_auth_digest", Htaccess(AuthConfig), Htaccess(AuthConfig), 0), // undocumented
    d("AuthDigestNonceFormat", "mod_auth_digest", "", Htaccess(AuthConfig), Absent, 0),
    d("AuthDigestNonceLifetime", "mod_auth_digest", "mod_auth_digest", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthDigestProvider", "mod_auth_digest", "mod_auth_digest", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthDigestQop", "mod_auth_digest", "mod_auth_digest", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthDigestShmemSize", "mod_auth_digest", "mod_auth_digest", ServerOnly, ServerOnly, 0),
    d("AuthFormAuthoritative", "", "mod_auth_form", Absent, Htaccess(AuthConfig), 0),
    d("AuthFormBody", "", "mod_auth_form", Absent, Htaccess(AuthConfig), 0), // docs: not in .htaccess
    d("AuthFormDisableNoStore", "", "mod_auth_form", Absent, Htaccess(AuthConfig), 0), // docs: not in .htaccess
    d("AuthFormFakeBasicAuth", "", "mod_auth_form", Absent, Htaccess(AuthConfig), 0), // docs: not in .htaccess
    d("AuthFormLocation", "", "mod_auth_form", Absent, Htaccess(AuthConfig), 0), // docs: not in .htaccess
    d("AuthFormLoginRequiredLocation", "", "mod_auth_form", Absent, Htaccess(AuthConfig), 0), // docs: not in .htaccess
    d("AuthFormLoginSuccessLocation", "", "mod_auth_form", Absent, Htaccess(AuthConfig), 0), // docs: not in .htaccess
    d("AuthFormLogoutLocation", "", "mod_auth_form", Absent, Htaccess(AuthConfig), 0), // docs: not in .htaccess
    d("AuthFormMethod", "", "mod_auth_form", Absent, Htaccess(AuthConfig), 0), // docs: not in .htaccess
    d("AuthFormMimetype", "", "mod_auth_form", Absent, Htaccess(AuthConfig), 0), // docs: not in .htaccess
    d("AuthFormPassword", "", "mod_auth_form", Absent, Htaccess(AuthConfig), 0), // docs: not in .htaccess
    d("AuthFormProvider", "", "mod_auth_form", Absent, Htaccess(AuthConfig), 0),
    d("AuthFormSitePassphrase", "", "mod_auth_form", Absent, Htaccess(AuthConfig), 0), // docs: not in .htaccess
    d("AuthFormSize", "", "mod_auth_form", Absent, ServerOnly, 0),
    d("AuthFormUsername", "", "mod_auth_form", Absent, Htaccess(AuthConfig), 0), // docs: not in .htaccess
    d("AuthGroupFile", "mod_authz_groupfile", "mod_authz_groupfile", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthLDAPAuthorizePrefix", "", "mod_authnz_ldap", Absent, Htaccess(AuthConfig), 0),
    d("AuthLDAPBindAuthoritative", "mod_authnz_ldap", "mod_authnz_ldap", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthLDAPBindDN", "mod_authnz_ldap", "mod_authnz_ldap", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthLDAPBindPassword", "mod_authnz_ldap", "mod_authnz_ldap", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthLDAPCharsetConfig", "mod_authnz_ldap", "mod_authnz_ldap", ServerOnly, ServerOnly, 0),
    d("AuthLDAPCompareAsUser", "", "mod_authnz_ldap", Absent, Htaccess(AuthConfig), 0),
    d("AuthLDAPCompareDNOnServer", "mod_authnz_ldap", "mod_authnz_ldap", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthLDAPDereferenceAliases", "mod_authnz_ldap", "mod_authnz_ldap", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthLDAPGroupAttribute", "mod_authnz_ldap", "mod_authnz_ldap", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthLDAPGroupAttributeIsDN", "mod_authnz_ldap", "mod_authnz_ldap", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthLDAPInitialBindAsUser", "", "mod_authnz_ldap", Absent, Htaccess(AuthConfig), 0),
    d("AuthLDAPInitialBindPattern", "", "mod_authnz_ldap", Absent, Htaccess(AuthConfig), 0),
    d("AuthLDAPMaxSubGroupDepth", "", "mod_authnz_ldap", Absent, Htaccess(AuthConfig), 0),
    d("AuthLDAPRemoteUserAttribute", "mod_authnz_ldap", "mod_authnz_ldap", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthLDAPRemoteUserIsDN", "mod_authnz_ldap", "mod_authnz_ldap", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthLDAPSearchAsUser", "", "mod_authnz_ldap", Absent, Htaccess(AuthConfig), 0),
    d("AuthLDAPSubGroupAttribute", "", "mod_authnz_ldap", Absent, Htaccess(AuthConfig), 0),
    d("AuthLDAPSubGroupClass", "", "mod_authnz_ldap", Absent, Htaccess(AuthConfig), 0),
    d("AuthLDAPURL", "mod_authnz_ldap", "mod_authnz_ldap", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthMerging", "", "mod_authz_core", Absent, Htaccess(AuthConfig), 0),
    d("AuthName", "core", "mod_authn_core", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthnCacheContext", "", "mod_authn_socache", Absent, ServerOnly, 0),
    d("AuthnCacheEnable", "", "mod_authn_socache", Absent, ServerOnly, 0),
    d("AuthnCacheProvideFor", "", "mod_authn_socache", Absent, Htaccess(AuthConfig), 0),
    d("AuthnCacheSOCache", "", "mod_authn_socache", Absent, ServerOnly, 0),
    d("AuthnCacheTimeout", "", "mod_authn_socache", Absent, Htaccess(AuthConfig), 0),
    d("AuthnzFcgiCheckAuthnProvider", "", "mod_authnz_fcgi", Absent, Htaccess(FileInfo), 10), // docs: not in .htaccess
    d("AuthnzFcgiDefineProvider", "", "mod_authnz_fcgi", Absent, ServerOnly, 10),
    d("AuthType", "core", "mod_authn_core", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthUserFile", "mod_authn_file", "mod_authn_file", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthzDBDLoginToReferer", "", "mod_authz_dbd", Absent, ServerOnly, 0),
    d("AuthzDBDQuery", "", "mod_authz_dbd", Absent, ServerOnly, 0),
    d("AuthzDBDRedirectQuery", "", "mod_authz_dbd", Absent, ServerOnly, 0),
    d("AuthzDBMAuthoritative", "mod_authz_dbm", "", Htaccess(AuthConfig), Absent, 0),
    d("AuthzDBMType", "mod_authz_dbm", "mod_authz_dbm", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("AuthzDefaultAuthoritative", "mod_authz_default", "", Htaccess(AuthConfig), Absent, 0),
    d("AuthzGroupFileAuthoritative", "mod_authz_groupfile", "", Htaccess(AuthConfig), Absent, 0),
    d("AuthzLDAPAuthoritative", "mod_authnz_ldap", "", Htaccess(AuthConfig), Absent, 0),
    d("AuthzOwnerAuthoritative", "mod_authz_owner", "", Htaccess(AuthConfig), Absent, 0),
    d("AuthzSendForbiddenOnFailure", "", "mod_authz_core", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("AuthzUserAuthoritative", "mod_authz_user", "", Htaccess(AuthConfig), Absent, 0),
    d("BalancerGrowth", "", "mod_proxy", Absent, ServerOnly, 0),
    d("BalancerInherit", "", "mod_proxy", Absent, ServerOnly, 5),
    d("BalancerMember", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("BalancerPersist", "", "mod_proxy", Absent, ServerOnly, 4),
    d("BrotliAlterETag", "", "mod_brotli", Absent, ServerOnly, 26),
    d("BrotliCompressionMaxInputBlock", "", "mod_brotli", Absent, ServerOnly, 26),
    d("BrotliCompressionQuality", "", "mod_brotli", Absent, ServerOnly, 26),
    d("BrotliCompressionWindow", "", "mod_brotli", Absent, ServerOnly, 26),
    d("BrotliFilterNote", "", "mod_brotli", Absent, ServerOnly, 26),
    d("BrowserMatch", "mod_setenvif", "mod_setenvif", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("BrowserMatchNoCase", "mod_setenvif", "mod_setenvif", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("BufferedLogs", "mod_log_config", "mod_log_config", ServerOnly, ServerOnly, 0),
    d("BufferSize", "", "mod_buffer", Absent, ServerOnly, 0), // docs list .htaccess
    d("CacheDefaultExpire", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0), // docs list .htaccess
    d("CacheDetailHeader", "", "mod_cache", Absent, ServerOnly, 0), // docs list .htaccess
    d("CacheDirLength", "mod_disk_cache", "mod_cache_disk", ServerOnly, ServerOnly, 0),
    d("CacheDirLevels", "mod_disk_cache", "mod_cache_disk", ServerOnly, ServerOnly, 0),
    d("CacheDisable", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0), // docs list .htaccess
    d("CacheEnable", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0),
    d("CacheFile", "mod_file_cache", "mod_file_cache", ServerOnly, ServerOnly, 0),
    d("CacheHeader", "", "mod_cache", Absent, ServerOnly, 0), // docs list .htaccess
    d("CacheIgnoreCacheControl", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0),
    d("CacheIgnoreHeaders", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0),
    d("CacheIgnoreNoLastMod", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0), // docs list .htaccess
    d("CacheIgnoreQueryString", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0),
    d("CacheIgnoreURLSessionIdentifiers", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0),
    d("CacheKeyBaseURL", "", "mod_cache", Absent, ServerOnly, 0),
    d("CacheLastModifiedFactor", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0), // docs list .htaccess
    d("CacheLock", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0),
    d("CacheLockMaxAge", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0),
    d("CacheLockPath", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0),
    d("CacheMaxExpire", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0), // docs list .htaccess
    d("CacheMaxFileSize", "mod_disk_cache", "mod_cache_disk", ServerOnly, ServerOnly, 0), // docs list .htaccess
    d("CacheMinExpire", "", "mod_cache", Absent, ServerOnly, 0), // docs list .htaccess
    d("CacheMinFileSize", "mod_disk_cache", "mod_cache_disk", ServerOnly, ServerOnly, 0), // docs list .htaccess
    d("CacheNegotiatedDocs", "mod_negotiation", "mod_negotiation", ServerOnly, ServerOnly, 0),
    d("CacheQuickHandler", "", "mod_cache", Absent, ServerOnly, 0),
    d("CacheReadSize", "", "mod_cache_disk", Absent, ServerOnly, 0), // docs list .htaccess
    d("CacheReadTime", "", "mod_cache_disk", Absent, ServerOnly, 0), // docs list .htaccess
    d("CacheRoot", "mod_disk_cache", "mod_cache_disk", ServerOnly, ServerOnly, 0),
    d("CacheSocache", "", "mod_cache_socache", Absent, ServerOnly, 5),
    d("CacheSocacheMaxSize", "", "mod_cache_socache", Absent, ServerOnly, 5), // docs list .htaccess
    d("CacheSocacheMaxTime", "", "mod_cache_socache", Absent, ServerOnly, 5), // docs list .htaccess
    d("CacheSocacheMinTime", "", "mod_cache_socache", Absent, ServerOnly, 5), // docs list .htaccess
    d("CacheSocacheReadSize", "", "mod_cache_socache", Absent, ServerOnly, 5), // docs list .htaccess
    d("CacheSocacheReadTime", "", "mod_cache_socache", Absent, ServerOnly, 5), // docs list .htaccess
    d("CacheStaleOnError", "", "mod_cache", Absent, ServerOnly, 0), // docs list .htaccess
    d("CacheStoreExpired", "", "mod_cache", Absent, ServerOnly, 0), // docs list .htaccess
    d("CacheStoreNoStore", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0), // docs list .htaccess
    d("CacheStorePrivate", "mod_cache", "mod_cache", ServerOnly, ServerOnly, 0), // docs list .htaccess
    d("CaseFilter", "", "mod_case_filter", Absent, ServerOnly, 0), // undocumented
    d("CaseFilterIn", "", "mod_case_filter_in", Absent, ServerOnly, 0), // undocumented
    d("CGIDScriptTimeout", "", "mod_cgid", Absent, ServerOnly, 10), // docs list .htaccess
    d("CGIMapExtension", "core", "core", Htaccess(FileInfo), Htaccess(FileInfo), 0), // not in Debian's build
    d("CGIPassAuth", "", "core", Absent, Htaccess(AuthConfig), 13),
    d("CGIScriptTimeout", "", "mod_cgi", Absent, ServerOnly, 59), // docs list .htaccess
    d("CGIVar", "", "core", Absent, Htaccess(FileInfo), 21),
    d("CharsetDefault", "mod_charset_lite", "mod_charset_lite", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("CharsetOptions", "mod_charset_lite", "mod_charset_lite", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("CharsetSourceEnc", "mod_charset_lite", "mod_charset_lite", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("CheckBasenameMatch", "", "mod_speling", Absent, Htaccess(Options), 50),
    d("CheckCaseOnly", "mod_speling", "mod_speling", Htaccess(Options), Htaccess(Options), 0),
    d("CheckSpelling", "mod_speling", "mod_speling", Htaccess(Options), Htaccess(Options), 0),
    d("ChrootDir", "mpm_common", "mod_unixd", ServerOnly, ServerOnly, 0),
    d("ContentDigest", "core", "core", Htaccess(Options), Htaccess(Options), 0),
    d("CookieDomain", "mod_usertrack", "mod_usertrack", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("CookieExpires", "mod_usertrack", "mod_usertrack", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("CookieHTTPOnly", "", "mod_usertrack", Absent, Htaccess(FileInfo), 42),
    d("CookieLog", "mod_log_config", "", ServerOnly, Absent, 0),
    d("CookieName", "mod_usertrack", "mod_usertrack", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("CookieSameSite", "", "mod_usertrack", Absent, Htaccess(FileInfo), 42),
    d("CookieSecure", "", "mod_usertrack", Absent, Htaccess(FileInfo), 42),
    d("CookieStyle", "mod_usertrack", "mod_usertrack", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("CookieTracking", "mod_usertrack", "mod_usertrack", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("CoreDumpDirectory", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("CustomLog", "mod_log_config", "mod_log_config", ServerOnly, ServerOnly, 0),
    d("Dav", "mod_dav", "mod_dav", ServerOnly, ServerOnly, 0),
    d("DavBasePath", "", "mod_dav", Absent, ServerOnly, 58),
    d("DavDepthInfinity", "mod_dav", "mod_dav", ServerOnly, ServerOnly, 0),
    d("DavGenericLockDB", "mod_dav_lock", "mod_dav_lock", ServerOnly, ServerOnly, 0),
    d("DavLockDB", "mod_dav_fs", "mod_dav_fs", ServerOnly, ServerOnly, 0),
    d("DavLockDiscovery", "", "mod_dav_fs", Absent, ServerOnly, 55), // docs list .htaccess
    d("DavMinTimeout", "mod_dav", "mod_dav", ServerOnly, ServerOnly, 0),
    d("DBDExptime", "mod_dbd", "mod_dbd", ServerOnly, ServerOnly, 0),
    d("DBDInitSQL", "", "mod_dbd", Absent, ServerOnly, 0),
    d("DBDKeep", "mod_dbd", "mod_dbd", ServerOnly, ServerOnly, 0),
    d("DBDMax", "mod_dbd", "mod_dbd", ServerOnly, ServerOnly, 0),
    d("DBDMin", "mod_dbd", "mod_dbd", ServerOnly, ServerOnly, 0),
    d("DBDParams", "mod_dbd", "mod_dbd", ServerOnly, ServerOnly, 0),
    d("DBDPersist", "mod_dbd", "mod_dbd", ServerOnly, ServerOnly, 0),
    d("DBDPrepareSQL", "mod_dbd", "mod_dbd", ServerOnly, ServerOnly, 0),
    d("DBDriver", "mod_dbd", "mod_dbd", ServerOnly, ServerOnly, 0),
    d("DefaultIcon", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("DefaultLanguage", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("DefaultRuntimeDir", "", "core", Absent, ServerOnly, 2),
    d("DefaultType", "core", "core", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("Define", "", "core", Absent, ServerOnly, 0),
    d("DeflateAlterETag", "", "mod_deflate", Absent, ServerOnly, 58),
    d("DeflateBufferSize", "mod_deflate", "mod_deflate", ServerOnly, ServerOnly, 0),
    d("DeflateCompressionLevel", "mod_deflate", "mod_deflate", ServerOnly, ServerOnly, 0),
    d("DeflateFilterNote", "mod_deflate", "mod_deflate", ServerOnly, ServerOnly, 0),
    d("DeflateInflateLimitRequestBody", "", "mod_deflate", Absent, Always, 10),
    d("DeflateInflateRatioBurst", "", "mod_deflate", Absent, Always, 10),
    d("DeflateInflateRatioLimit", "", "mod_deflate", Absent, Always, 10),
    d("DeflateMemLevel", "mod_deflate", "mod_deflate", ServerOnly, ServerOnly, 0),
    d("DeflateWindowSize", "mod_deflate", "mod_deflate", ServerOnly, ServerOnly, 0),
    d("Deny", "mod_authz_host", "mod_access_compat", Htaccess(Limit), Htaccess(Limit), 0),
    d("DirectoryCheckHandler", "", "mod_dir", Absent, Htaccess(Indexes), 8),
    d("DirectoryIndex", "mod_dir", "mod_dir", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("DirectoryIndexRedirect", "", "mod_dir", Absent, Htaccess(Indexes), 0),
    d("DirectorySlash", "mod_dir", "mod_dir", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("DocumentRoot", "core", "core", ServerOnly, ServerOnly, 0),
    d("DTracePrivileges", "", "mod_privileges", Absent, ServerOnly, 0), // not in Debian's build
    d("DumpIOInput", "mod_dumpio", "mod_dumpio", ServerOnly, ServerOnly, 0),
    d("DumpIOLogLevel", "mod_dumpio", "", ServerOnly, Absent, 0),
    d("DumpIOOutput", "mod_dumpio", "mod_dumpio", ServerOnly, ServerOnly, 0),
    d("EnableExceptionHook", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0), // not in Debian's build
    d("EnableMMAP", "core", "core", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("EnableSendfile", "core", "core", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("Error", "", "core", Absent, Always, 0), // docs give no Override
    d("ErrorDocument", "core", "core", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("ErrorLog", "core", "core", ServerOnly, ServerOnly, 0),
    d("ErrorLogFormat", "", "core", Absent, ServerOnly, 0),
    d("Example", "mod_example", "mod_example_hooks", Htaccess(Options), Htaccess(Options), 0), // docs give no Override; OR_OPTIONS in the source; not in Debian's build
    d("ExpiresActive", "mod_expires", "mod_expires", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("ExpiresByType", "mod_expires", "mod_expires", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("ExpiresDefault", "mod_expires", "mod_expires", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("ExtendedStatus", "mod_status", "core", ServerOnly, ServerOnly, 0),
    d("ExtFilterDefine", "mod_ext_filter", "mod_ext_filter", ServerOnly, ServerOnly, 0),
    d("ExtFilterOptions", "mod_ext_filter", "mod_ext_filter", ServerOnly, ServerOnly, 0),
    d("FallbackResource", "mod_dir", "mod_dir", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("FancyIndexing", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), ServerOnly, 0), // 2.4 rejects it everywhere: "no longer supported"; undocumented
    d("FileETag", "core", "core", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("FilterChain", "mod_filter", "mod_filter", Htaccess(Options), Htaccess(Options), 0),
    d("FilterDeclare", "mod_filter", "mod_filter", Htaccess(Options), Htaccess(Options), 0),
    d("FilterProtocol", "mod_filter", "mod_filter", Htaccess(Options), Htaccess(Options), 0),
    d("FilterProvider", "mod_filter", "mod_filter", Htaccess(Options), Htaccess(Options), 0),
    d("FilterTrace", "mod_filter", "mod_filter", ServerOnly, ServerOnly, 0),
    d("FlushMaxPipelined", "", "core", Absent, ServerOnly, 47),
    d("FlushMaxThreshold", "", "core", Absent, ServerOnly, 47),
    d("ForceLanguagePriority", "mod_negotiation", "mod_negotiation", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("ForceType", "core", "core", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("ForensicLog", "mod_log_forensic", "mod_log_forensic", ServerOnly, ServerOnly, 0),
    d("GlobalLog", "", "mod_log_config", Absent, ServerOnly, 19),
    d("GprofDir", "core", "core", ServerOnly, ServerOnly, 0), // not in Debian's build
    d("GracefulShutdownTimeout", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("Group", "mpm_common", "mod_unixd", ServerOnly, ServerOnly, 0),
    d("H2CopyFiles", "", "mod_http2", Absent, Htaccess(FileInfo), 24), // docs give no Override
    d("H2Direct", "", "mod_http2", Absent, ServerOnly, 17),
    d("H2EarlyHint", "", "mod_http2", Absent, Htaccess(FileInfo), 58), // httpd accepts AuthConfig or FileInfo; docs give no Override
    d("H2EarlyHints", "", "mod_http2", Absent, ServerOnly, 24),
    d("H2MaxDataFrameLen", "", "mod_http2", Absent, ServerOnly, 58),
    d("H2MaxHeaderBlockLen", "", "mod_http2", Absent, ServerOnly, 64),
    d("H2MaxSessionStreams", "", "mod_http2", Absent, ServerOnly, 17),
    d("H2MaxStreamErrors", "", "mod_http2", Absent, ServerOnly, 66),
    d("H2MaxWorkerIdleSeconds", "", "mod_http2", Absent, ServerOnly, 17),
    d("H2MaxWorkers", "", "mod_http2", Absent, ServerOnly, 17),
    d("H2MinWorkers", "", "mod_http2", Absent, ServerOnly, 17),
    d("H2ModernTLSOnly", "", "mod_http2", Absent, ServerOnly, 18),
    d("H2OutputBuffering", "", "mod_http2", Absent, ServerOnly, 48),
    d("H2Padding", "", "mod_http2", Absent, ServerOnly, 39),
    d("H2ProxyRequests", "", "mod_http2", Absent, Htaccess(FileInfo), 58), // docs: not in .htaccess
    d("H2Push", "", "mod_http2", Absent, Htaccess(AuthConfig), 18), // docs give no Override
    d("H2PushDiarySize", "", "mod_http2", Absent, ServerOnly, 19),
    d("H2PushPriority", "", "mod_http2", Absent, ServerOnly, 18),
    d("H2PushResource", "", "mod_http2", Absent, Htaccess(FileInfo), 24), // httpd accepts AuthConfig or FileInfo; docs give no Override
    d("H2SerializeHeaders", "", "mod_http2", Absent, ServerOnly, 17),
    d("H2SessionExtraFiles", "", "mod_http2", Absent, ServerOnly, 17), // undocumented
    d("H2StreamMaxMemSize", "", "mod_http2", Absent, ServerOnly, 17),
    d("H2StreamTimeout", "", "mod_http2", Absent, ServerOnly, 55),
    d("H2TLSCoolDownSecs", "", "mod_http2", Absent, ServerOnly, 18),
    d("H2TLSWarmUpSize", "", "mod_http2", Absent, ServerOnly, 18),
    d("H2Upgrade", "", "mod_http2", Absent, Htaccess(AuthConfig), 17), // docs give no Override
    d("H2WebSockets", "", "mod_http2", Absent, ServerOnly, 58),
    d("H2WindowSize", "", "mod_http2", Absent, ServerOnly, 17),
    d("Header", "mod_headers", "mod_headers", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("HeaderName", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("HeartbeatAddress", "", "mod_heartbeat", Absent, ServerOnly, 0),
    d("HeartbeatListen", "", "mod_heartmonitor", Absent, ServerOnly, 0),
    d("HeartbeatMaxServers", "", "mod_heartmonitor", Absent, ServerOnly, 0),
    d("HeartbeatStorage", "", "mod_heartmonitor", Absent, ServerOnly, 0),
    d("HostnameLookups", "core", "core", ServerOnly, ServerOnly, 0),
    d("HttpProtocolOptions", "core", "core", ServerOnly, ServerOnly, 24),
    d("IdentityCheck", "mod_ident", "mod_ident", ServerOnly, ServerOnly, 0),
    d("IdentityCheckTimeout", "mod_ident", "mod_ident", ServerOnly, ServerOnly, 0),
    d("ImapBase", "mod_imagemap", "mod_imagemap", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("ImapDefault", "mod_imagemap", "mod_imagemap", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("ImapMenu", "mod_imagemap", "mod_imagemap", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("Include", "core", "core", ServerOnly, ServerOnly, 0),
    d("IncludeOptional", "", "core", Absent, ServerOnly, 0),
    d("IndexHeadInsert", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("IndexIgnore", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("IndexIgnoreReset", "", "mod_autoindex", Absent, Htaccess(Indexes), 0),
    d("IndexOptions", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("IndexOrderDefault", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("IndexStyleSheet", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("InputSed", "", "mod_sed", Absent, ServerOnly, 0), // docs list .htaccess
    d("ISAPIAppendLogToErrors", "mod_isapi", "mod_isapi", Htaccess(FileInfo), Htaccess(FileInfo), 0), // not in Debian's build
    d("ISAPIAppendLogToQuery", "mod_isapi", "mod_isapi", Htaccess(FileInfo), Htaccess(FileInfo), 0), // not in Debian's build
    d("ISAPICacheFile", "mod_isapi", "mod_isapi", ServerOnly, ServerOnly, 0), // not in Debian's build
    d("ISAPIFakeAsync", "mod_isapi", "mod_isapi", Htaccess(FileInfo), Htaccess(FileInfo), 0), // not in Debian's build
    d("ISAPILogNotSupported", "mod_isapi", "mod_isapi", Htaccess(FileInfo), Htaccess(FileInfo), 0), // not in Debian's build
    d("ISAPIReadAheadBuffer", "mod_isapi", "mod_isapi", Htaccess(FileInfo), Htaccess(FileInfo), 0), // not in Debian's build
    d("KeepAlive", "core", "core", ServerOnly, ServerOnly, 0),
    d("KeepAliveTimeout", "core", "core", ServerOnly, ServerOnly, 0),
    d("KeptBodySize", "", "mod_request", Absent, ServerOnly, 0),
    d("LanguagePriority", "mod_negotiation", "mod_negotiation", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("LDAPCacheEntries", "mod_ldap", "mod_ldap", ServerOnly, ServerOnly, 0),
    d("LDAPCacheTTL", "mod_ldap", "mod_ldap", ServerOnly, ServerOnly, 0),
    d("LDAPConnectionPoolTTL", "", "mod_ldap", Absent, ServerOnly, 0),
    d("LDAPConnectionTimeout", "mod_ldap", "mod_ldap", ServerOnly, ServerOnly, 0),
    d("LDAPLibraryDebug", "", "mod_ldap", Absent, ServerOnly, 0),
    d("LDAPOpCacheEntries", "mod_ldap", "mod_ldap", ServerOnly, ServerOnly, 0),
    d("LDAPOpCacheTTL", "mod_ldap", "mod_ldap", ServerOnly, ServerOnly, 0),
    d("LDAPReferralHopLimit", "", "mod_ldap", Absent, Htaccess(AuthConfig), 0),
    d("LDAPReferrals", "", "mod_ldap", Absent, Htaccess(AuthConfig), 0),
    d("LDAPRetries", "", "mod_ldap", Absent, ServerOnly, 0),
    d("LDAPRetryDelay", "", "mod_ldap", Absent, ServerOnly, 0),
    d("LDAPSharedCacheFile", "mod_ldap", "mod_ldap", ServerOnly, ServerOnly, 0),
    d("LDAPSharedCacheSize", "mod_ldap", "mod_ldap", ServerOnly, ServerOnly, 0),
    d("LDAPTimeout", "", "mod_ldap", Absent, ServerOnly, 0),
    d("LDAPTrustedClientCert", "mod_ldap", "mod_ldap", Htaccess(AuthConfig), Htaccess(AuthConfig), 0), // docs give no Override
    d("LDAPTrustedGlobalCert", "mod_ldap", "mod_ldap", ServerOnly, ServerOnly, 0),
    d("LDAPTrustedMode", "mod_ldap", "mod_ldap", ServerOnly, ServerOnly, 0),
    d("LDAPVerifyServerCert", "mod_ldap", "mod_ldap", ServerOnly, ServerOnly, 0),
    d("LimitInternalRecursion", "core", "core", ServerOnly, ServerOnly, 0),
    d("LimitRequestBody", "core", "core", Always, Always, 0),
    d("LimitRequestFields", "core", "core", ServerOnly, ServerOnly, 0),
    d("LimitRequestFieldSize", "core", "core", ServerOnly, ServerOnly, 0),
    d("LimitRequestLine", "core", "core", ServerOnly, ServerOnly, 0),
    d("LimitXMLRequestBody", "core", "core", Always, Always, 0),
    d("Listen", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("ListenBackLog", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("ListenCoresBucketsRatio", "", "mpm_common", Absent, ServerOnly, 17),
    d("ListenTCPDeferAccept", "", "mpm_common", Absent, ServerOnly, 66),
    d("LoadFile", "mod_so", "mod_so", ServerOnly, ServerOnly, 0),
    d("LoadModule", "mod_so", "mod_so", ServerOnly, ServerOnly, 0),
    d("LockFile", "mpm_common", "", ServerOnly, Absent, 0),
    d("LogFormat", "mod_log_config", "mod_log_config", ServerOnly, ServerOnly, 0),
    d("LogIOTrackTTFB", "", "mod_logio", Absent, Always, 13),
    d("LogLevel", "core", "core", ServerOnly, ServerOnly, 0),
    d("LogMessage", "", "mod_log_debug", Absent, ServerOnly, 0),
    d("Lua_____ByteCodeHack", "", "mod_lua", Absent, ServerOnly, 0), // internal to mod_lua; by hand it crashes the child; undocumented
    d("LuaAuthzProvider", "", "mod_lua", Absent, ServerOnly, 3),
    d("LuaCodeCache", "", "mod_lua", Absent, Always, 5),
    d("LuaHookAccessChecker", "", "mod_lua", Absent, Always, 0),
    d("LuaHookAuthChecker", "", "mod_lua", Absent, Always, 0),
    d("LuaHookCheckUserID", "", "mod_lua", Absent, Always, 0),
    d("LuaHookFixups", "", "mod_lua", Absent, Always, 0),
    d("LuaHookInsertFilter", "", "mod_lua", Absent, ServerOnly, 0), // rejected everywhere: "not yet implemented"; docs: Override All
    d("LuaHookLog", "", "mod_lua", Absent, Always, 0),
    d("LuaHookMapToStorage", "", "mod_lua", Absent, Always, 0),
    d("LuaHookPreTranslateName", "", "mod_lua", Absent, Always, 0), // undocumented
    d("LuaHookTranslateName", "", "mod_lua", Absent, ServerOnly, 0), // httpd: "cannot occur within htaccess files"
    d("LuaHookTypeChecker", "", "mod_lua", Absent, Always, 0),
    d("LuaInherit", "", "mod_lua", Absent, Always, 0),
    d("LuaInputFilter", "", "mod_lua", Absent, ServerOnly, 5), // httpd: "cannot occur within htaccess files"
    d("LuaMapHandler", "", "mod_lua", Absent, ServerOnly, 5), // httpd: "cannot occur within htaccess files"; docs: Override All
    d("LuaOutputFilter", "", "mod_lua", Absent, ServerOnly, 5), // httpd: "cannot occur within htaccess files"
    d("LuaPackageCPath", "", "mod_lua", Absent, Always, 0),
    d("LuaPackagePath", "", "mod_lua", Absent, Always, 0),
    d("LuaQuickHandler", "", "mod_lua", Absent, ServerOnly, 0), // httpd: "cannot occur within htaccess files"
    d("LuaRoot", "", "mod_lua", Absent, Always, 0),
    d("LuaScope", "", "mod_lua", Absent, Always, 0),
    d("MacroIgnoreBadNesting", "", "mod_macro", Absent, Always, 5), // undocumented
    d("MacroIgnoreEmptyArgs", "", "mod_macro", Absent, Always, 5), // undocumented
    d("MaxClients", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0), // undocumented
    d("MaxConnectionsPerChild", "", "mpm_common", Absent, ServerOnly, 0),
    d("MaxKeepAliveRequests", "core", "core", ServerOnly, ServerOnly, 0),
    d("MaxMemFree", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("MaxRangeOverlaps", "", "core", Absent, ServerOnly, 0),
    d("MaxRangeReversals", "", "core", Absent, ServerOnly, 0),
    d("MaxRanges", "core", "core", ServerOnly, ServerOnly, 0),
    d("MaxRequestsPerChild", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0), // undocumented
    d("MaxRequestsPerThread", "beos", "", ServerOnly, Absent, 0),
    d("MaxRequestWorkers", "", "mpm_common", Absent, ServerOnly, 0),
    d("MaxSpareServers", "prefork", "prefork", ServerOnly, ServerOnly, 0),
    d("MaxSpareThreads", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("MaxThreads", "mpm_netware", "mpm_netware", ServerOnly, ServerOnly, 0), // not in Debian's build
    d("MCacheMaxObjectCount", "mod_mem_cache", "", ServerOnly, Absent, 0),
    d("MCacheMaxObjectSize", "mod_mem_cache", "", ServerOnly, Absent, 0),
    d("MCacheMaxStreamingBuffer", "mod_mem_cache", "", ServerOnly, Absent, 0),
    d("MCacheMinObjectSize", "mod_mem_cache", "", ServerOnly, Absent, 0),
    d("MCacheRemovalAlgorithm", "mod_mem_cache", "", ServerOnly, Absent, 0),
    d("MCacheSize", "mod_mem_cache", "", ServerOnly, Absent, 0),
    d("MDActivationDelay", "", "mod_md", Absent, ServerOnly, 42),
    d("MDBaseServer", "", "mod_md", Absent, ServerOnly, 30),
    d("MDCACertificateFile", "", "mod_md", Absent, ServerOnly, 30),
    d("MDCAChallenges", "", "mod_md", Absent, ServerOnly, 30),
    d("MDCertificateAgreement", "", "mod_md", Absent, ServerOnly, 30),
    d("MDCertificateAuthority", "", "mod_md", Absent, ServerOnly, 30),
    d("MDCertificateCheck", "", "mod_md", Absent, ServerOnly, 42),
    d("MDCertificateFile", "", "mod_md", Absent, ServerOnly, 30),
    d("MDCertificateKeyFile", "", "mod_md", Absent, ServerOnly, 30),
    d("MDCertificateMonitor", "", "mod_md", Absent, ServerOnly, 30), // not in Debian's build; gone from mod_md
    d("MDCertificateProtocol", "", "mod_md", Absent, ServerOnly, 30),
    d("MDCertificateStatus", "", "mod_md", Absent, ServerOnly, 30),
    d("MDChallengeDns01", "", "mod_md", Absent, ServerOnly, 30),
    d("MDChallengeDns01Version", "", "mod_md", Absent, ServerOnly, 58),
    d("MDCheckInterval", "", "mod_md", Absent, ServerOnly, 60),
    d("MDContactEmail", "", "mod_md", Absent, ServerOnly, 42),
    d("MDDriveMode", "", "mod_md", Absent, ServerOnly, 30),
    d("MDExternalAccountBinding", "", "mod_md", Absent, ServerOnly, 52),
    d("MDHttpProxy", "", "mod_md", Absent, ServerOnly, 30),
    d("MDHttpProxyCACertificateFile", "", "mod_md", Absent, ServerOnly, 70),
    d("MDInitialDelay", "", "mod_md", Absent, ServerOnly, 66),
    d("MDMatchNames", "", "mod_md", Absent, ServerOnly, 58),
    d("MDMember", "", "mod_md", Absent, ServerOnly, 30),
    d("MDMembers", "", "mod_md", Absent, ServerOnly, 30),
    d("MDMessageCmd", "", "mod_md", Absent, ServerOnly, 30),
    d("MDMustStaple", "", "mod_md", Absent, ServerOnly, 30),
    d("MDNotifyCmd", "", "mod_md", Absent, ServerOnly, 30),
    d("MDomain", "", "mod_md", Absent, ServerOnly, 30),
    d("MDPortMap", "", "mod_md", Absent, ServerOnly, 30),
    d("MDPrivateKeys", "", "mod_md", Absent, ServerOnly, 30),
    d("MDProfile", "", "mod_md", Absent, ServerOnly, 64),
    d("MDProfileMandatory", "", "mod_md", Absent, ServerOnly, 64),
    d("MDRenewMode", "", "mod_md", Absent, ServerOnly, 30),
    d("MDRenewViaARI", "", "mod_md", Absent, ServerOnly, 30),
    d("MDRenewWindow", "", "mod_md", Absent, ServerOnly, 30),
    d("MDRequireHttps", "", "mod_md", Absent, Htaccess(AuthConfig), 30), // docs: not in .htaccess
    d("MDRetryDelay", "", "mod_md", Absent, ServerOnly, 54),
    d("MDRetryFailover", "", "mod_md", Absent, ServerOnly, 54),
    d("MDServerStatus", "", "mod_md", Absent, ServerOnly, 30),
    d("MDStapleOthers", "", "mod_md", Absent, ServerOnly, 42),
    d("MDStapling", "", "mod_md", Absent, ServerOnly, 42),
    d("MDStaplingKeepResponse", "", "mod_md", Absent, ServerOnly, 42),
    d("MDStaplingRenewWindow", "", "mod_md", Absent, ServerOnly, 42),
    d("MDStoreDir", "", "mod_md", Absent, ServerOnly, 30),
    d("MDStoreLocks", "", "mod_md", Absent, ServerOnly, 55),
    d("MDWarnWindow", "", "mod_md", Absent, ServerOnly, 30),
    d("MemcacheConnTTL", "", "mod_socache_memcache", Absent, ServerOnly, 17),
    d("MergeSlashes", "", "core", Absent, ServerOnly, 39),
    d("MergeTrailers", "", "core", Absent, ServerOnly, 11),
    d("MetaDir", "mod_cern_meta", "mod_cern_meta", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("MetaFiles", "mod_cern_meta", "mod_cern_meta", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("MetaSuffix", "mod_cern_meta", "mod_cern_meta", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("MimeMagicFile", "mod_mime_magic", "mod_mime_magic", ServerOnly, ServerOnly, 0),
    d("MinSpareServers", "prefork", "prefork", ServerOnly, ServerOnly, 0),
    d("MinSpareThreads", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("MMapFile", "mod_file_cache", "mod_file_cache", ServerOnly, ServerOnly, 0),
    d("ModemStandard", "", "mod_dialup", Absent, ServerOnly, 0),
    d("ModMimeUsePathInfo", "mod_mime", "mod_mime", ServerOnly, ServerOnly, 0),
    d("MultiviewsMatch", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("Mutex", "", "core", Absent, ServerOnly, 0),
    d("NameVirtualHost", "core", "core", ServerOnly, ServerOnly, 0),
    d("NoProxy", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("NWSSLTrustedCerts", "mod_nw_ssl", "mod_nw_ssl", ServerOnly, ServerOnly, 0), // not in Debian's build
    d("NWSSLUpgradeable", "mod_nw_ssl", "mod_nw_ssl", ServerOnly, ServerOnly, 0), // not in Debian's build
    d("Options", "core", "core", Htaccess(Options), Htaccess(Options), 0),
    d("Order", "mod_authz_host", "mod_access_compat", Htaccess(Limit), Htaccess(Limit), 0),
    d("OutputSed", "", "mod_sed", Absent, ServerOnly, 0), // docs list .htaccess
    d("PassEnv", "mod_env", "mod_env", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("php_admin_flag", "mod_php", "mod_php", ServerOnly, ServerOnly, 0), // PHP, not httpd
    d("php_admin_value", "mod_php", "mod_php", ServerOnly, ServerOnly, 0), // PHP, not httpd
    d("php_flag", "mod_php", "mod_php", Htaccess(Options), Htaccess(Options), 0), // PHP, not httpd
    d("php_value", "mod_php", "mod_php", Htaccess(Options), Htaccess(Options), 0), // PHP, not httpd
    d("PHPINIDir", "mod_php", "mod_php", ServerOnly, ServerOnly, 0), // PHP, not httpd
    d("PidFile", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("Port", "core", "core", ServerOnly, ServerOnly, 0), // undocumented
    d("PrivilegesMode", "", "mod_privileges", Absent, ServerOnly, 0), // not in Debian's build
    d("Protocol", "", "core", Absent, ServerOnly, 0),
    d("ProtocolEcho", "mod_echo", "mod_echo", ServerOnly, ServerOnly, 0),
    d("Protocols", "", "core", Absent, ServerOnly, 17),
    d("ProtocolsHonorOrder", "", "core", Absent, ServerOnly, 17),
    d("Proxy100Continue", "", "mod_proxy", Absent, ServerOnly, 40),
    d("ProxyAddHeaders", "", "mod_proxy", Absent, ServerOnly, 0),
    d("ProxyBadHeader", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyBlock", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyDomain", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyErrorOverride", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyExpressDBMFile", "", "mod_proxy_express", Absent, Htaccess(FileInfo), 0), // docs: not in .htaccess
    d("ProxyExpressDBMType", "", "mod_proxy_express", Absent, Htaccess(FileInfo), 0), // docs: not in .htaccess
    d("ProxyExpressEnable", "", "mod_proxy_express", Absent, Htaccess(FileInfo), 0), // docs: not in .htaccess
    d("ProxyFCGIBackendType", "", "mod_proxy_fcgi", Absent, Htaccess(FileInfo), 26), // docs give no Override
    d("ProxyFCGISetEnvIf", "", "mod_proxy_fcgi", Absent, Htaccess(FileInfo), 26), // docs give no Override
    d("ProxyFtpDirCharset", "mod_proxy", "mod_proxy_ftp", ServerOnly, ServerOnly, 0),
    d("ProxyFtpEscapeWildcards", "", "mod_proxy_ftp", Absent, ServerOnly, 0),
    d("ProxyFtpListOnWildcard", "", "mod_proxy_ftp", Absent, ServerOnly, 0),
    d("ProxyHCExpr", "", "mod_proxy_hcheck", Absent, ServerOnly, 21), // httpd: "cannot occur within htaccess files"
    d("ProxyHCTemplate", "", "mod_proxy_hcheck", Absent, ServerOnly, 21), // httpd: "cannot occur within htaccess files"
    d("ProxyHCTPsize", "", "mod_proxy_hcheck", Absent, ServerOnly, 21),
    d("ProxyHTMLBufSize", "", "mod_proxy_html", Absent, ServerOnly, 0),
    d("ProxyHTMLCharsetOut", "", "mod_proxy_html", Absent, ServerOnly, 0),
    d("ProxyHTMLDocType", "", "mod_proxy_html", Absent, ServerOnly, 0),
    d("ProxyHTMLEnable", "", "mod_proxy_html", Absent, ServerOnly, 0),
    d("ProxyHTMLEvents", "", "mod_proxy_html", Absent, ServerOnly, 0),
    d("ProxyHTMLExtended", "", "mod_proxy_html", Absent, ServerOnly, 0),
    d("ProxyHTMLFixups", "", "mod_proxy_html", Absent, ServerOnly, 0),
    d("ProxyHTMLInterp", "", "mod_proxy_html", Absent, ServerOnly, 0),
    d("ProxyHTMLLinks", "", "mod_proxy_html", Absent, ServerOnly, 0),
    d("ProxyHTMLMeta", "", "mod_proxy_html", Absent, ServerOnly, 0),
    d("ProxyHTMLStripComments", "", "mod_proxy_html", Absent, ServerOnly, 0),
    d("ProxyHTMLURLMap", "", "mod_proxy_html", Absent, ServerOnly, 0),
    d("ProxyIOBufferSize", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyMaxForwards", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyPass", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyPassInherit", "", "mod_proxy", Absent, ServerOnly, 5),
    d("ProxyPassInterpolateEnv", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyPassMatch", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyPassReverse", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyPassReverseCookieDomain", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyPassReverseCookiePath", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyPreserveHost", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyReceiveBufferSize", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyRemote", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyRemoteMatch", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyRequests", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxySCGIInternalRedirect", "mod_proxy_scgi", "mod_proxy_scgi", ServerOnly, ServerOnly, 0),
    d("ProxySCGISendfile", "mod_proxy_scgi", "mod_proxy_scgi", ServerOnly, ServerOnly, 0),
    d("ProxySet", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxySourceAddress", "", "mod_proxy", Absent, ServerOnly, 0),
    d("ProxyStatus", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyTimeout", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyVia", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyWebsocketFallbackToProxyHttp", "", "mod_proxy_wstunnel", Absent, ServerOnly, 48),
    d("QualifyRedirectURL", "", "core", Absent, Htaccess(FileInfo), 18), // docs: not in .htaccess
    d("ReadBufferSize", "", "core", Absent, ServerOnly, 27),
    d("ReadmeName", "mod_autoindex", "mod_autoindex", Htaccess(Indexes), Htaccess(Indexes), 0),
    d("ReceiveBufferSize", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("Redirect", "mod_alias", "mod_alias", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RedirectMatch", "mod_alias", "mod_alias", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RedirectPermanent", "mod_alias", "mod_alias", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RedirectRelative", "", "mod_alias", Absent, Htaccess(FileInfo), 58), // docs: not in .htaccess
    d("RedirectTemp", "mod_alias", "mod_alias", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RedisConnPoolTTL", "", "mod_socache_redis", Absent, ServerOnly, 39),
    d("RedisTimeout", "", "mod_socache_redis", Absent, ServerOnly, 39),
    d("ReflectorHeader", "", "mod_reflector", Absent, Htaccess(Options), 0),
    d("RegexDefaultOptions", "", "core", Absent, ServerOnly, 30),
    d("RegisterHttpMethod", "", "core", Absent, ServerOnly, 24),
    d("RemoteIPHeader", "", "mod_remoteip", Absent, ServerOnly, 0),
    d("RemoteIPInternalProxy", "", "mod_remoteip", Absent, ServerOnly, 0),
    d("RemoteIPInternalProxyList", "", "mod_remoteip", Absent, ServerOnly, 0),
    d("RemoteIPProxiesHeader", "", "mod_remoteip", Absent, ServerOnly, 0),
    d("RemoteIPProxyProtocol", "", "mod_remoteip", Absent, ServerOnly, 31),
    d("RemoteIPProxyProtocolExceptions", "", "mod_remoteip", Absent, ServerOnly, 31),
    d("RemoteIPTrustedProxy", "", "mod_remoteip", Absent, ServerOnly, 0),
    d("RemoteIPTrustedProxyList", "", "mod_remoteip", Absent, ServerOnly, 0),
    d("RemoveCharset", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RemoveEncoding", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RemoveHandler", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RemoveInputFilter", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RemoveLanguage", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RemoveOutputFilter", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RemoveType", "mod_mime", "mod_mime", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RequestHeader", "mod_headers", "mod_headers", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RequestReadTimeout", "mod_reqtimeout", "mod_reqtimeout", ServerOnly, ServerOnly, 0),
    d("Require", "core", "mod_authz_core", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("RewriteBase", "mod_rewrite", "mod_rewrite", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RewriteCond", "mod_rewrite", "mod_rewrite", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RewriteEngine", "mod_rewrite", "mod_rewrite", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RewriteLock", "mod_rewrite", "", ServerOnly, Absent, 0),
    d("RewriteLog", "mod_rewrite", "", ServerOnly, Absent, 0),
    d("RewriteLogLevel", "mod_rewrite", "", ServerOnly, Absent, 0),
    d("RewriteMap", "mod_rewrite", "mod_rewrite", ServerOnly, ServerOnly, 0),
    d("RewriteOptions", "mod_rewrite", "mod_rewrite", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RewriteRule", "mod_rewrite", "mod_rewrite", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("RLimitCPU", "core", "core", Always, Always, 0),
    d("RLimitMEM", "core", "core", Always, Always, 0),
    d("RLimitNPROC", "core", "core", Always, Always, 0),
    d("Satisfy", "core", "mod_access_compat", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("ScoreBoardFile", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("Script", "mod_actions", "mod_actions", ServerOnly, ServerOnly, 0),
    d("ScriptAlias", "mod_alias", "mod_alias", ServerOnly, ServerOnly, 0),
    d("ScriptAliasMatch", "mod_alias", "mod_alias", ServerOnly, ServerOnly, 0),
    d("ScriptInterpreterSource", "core", "core", Htaccess(FileInfo), Htaccess(FileInfo), 0), // not in Debian's build
    d("ScriptLog", "mod_cgi", "mod_cgi", ServerOnly, ServerOnly, 0),
    d("ScriptLogBuffer", "mod_cgi", "mod_cgi", ServerOnly, ServerOnly, 0),
    d("ScriptLogLength", "mod_cgi", "mod_cgi", ServerOnly, ServerOnly, 0),
    d("ScriptSock", "mod_cgid", "mod_cgid", ServerOnly, ServerOnly, 0),
    d("SecureListen", "mod_nw_ssl", "mod_nw_ssl", ServerOnly, ServerOnly, 0), // not in Debian's build
    d("SeeRequestTail", "mod_status", "core", ServerOnly, ServerOnly, 0),
    d("SendBufferSize", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("ServerAdmin", "core", "core", ServerOnly, ServerOnly, 0),
    d("ServerAlias", "core", "core", ServerOnly, ServerOnly, 0),
    d("ServerLimit", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("ServerName", "core", "core", ServerOnly, ServerOnly, 0),
    d("ServerPath", "core", "core", ServerOnly, ServerOnly, 0),
    d("ServerRoot", "core", "core", ServerOnly, ServerOnly, 0),
    d("ServerSignature", "core", "core", Always, Always, 0),
    d("ServerTokens", "core", "core", ServerOnly, ServerOnly, 0),
    d("Session", "", "mod_session", Absent, Htaccess(AuthConfig), 0),
    d("SessionCookieName", "", "mod_session_cookie", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("SessionCookieName2", "", "mod_session_cookie", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("SessionCookieRemove", "", "mod_session_cookie", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("SessionCryptoCipher", "", "mod_session_crypto", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("SessionCryptoDriver", "", "mod_session_crypto", Absent, ServerOnly, 0),
    d("SessionCryptoPassphrase", "", "mod_session_crypto", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("SessionCryptoPassphraseFile", "", "mod_session_crypto", Absent, ServerOnly, 0),
    d("SessionDBDCookieName", "", "mod_session_dbd", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("SessionDBDCookieName2", "", "mod_session_dbd", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("SessionDBDCookieRemove", "", "mod_session_dbd", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("SessionDBDDeleteLabel", "", "mod_session_dbd", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("SessionDBDInsertLabel", "", "mod_session_dbd", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("SessionDBDPerUser", "", "mod_session_dbd", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("SessionDBDSelectLabel", "", "mod_session_dbd", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("SessionDBDUpdateLabel", "", "mod_session_dbd", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("SessionEnv", "", "mod_session", Absent, Htaccess(AuthConfig), 0),
    d("SessionExclude", "", "mod_session", Absent, Htaccess(AuthConfig), 0), // docs give no Override
    d("SessionExpiryUpdateInterval", "", "mod_session", Absent, Htaccess(AuthConfig), 41), // docs give no Override
    d("SessionHeader", "", "mod_session", Absent, Htaccess(AuthConfig), 0),
    d("SessionInclude", "", "mod_session", Absent, Htaccess(AuthConfig), 0),
    d("SessionMaxAge", "", "mod_session", Absent, Htaccess(AuthConfig), 0),
    d("SetEnv", "mod_env", "mod_env", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("SetEnvIf", "mod_setenvif", "mod_setenvif", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("SetEnvIfExpr", "", "mod_setenvif", Absent, Htaccess(FileInfo), 0),
    d("SetEnvIfNoCase", "mod_setenvif", "mod_setenvif", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("SetHandler", "core", "core", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("SetInputFilter", "core", "core", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("SetOutputFilter", "core", "core", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("SSIEnableAccess", "mod_include", "", Htaccess(Limit), Absent, 0),
    d("SSIEndTag", "mod_include", "mod_include", ServerOnly, ServerOnly, 0),
    d("SSIErrorMsg", "mod_include", "mod_include", Always, Always, 0),
    d("SSIETag", "mod_include", "mod_include", Htaccess(Limit), Htaccess(Limit), 0), // docs give no Override
    d("SSILastModified", "mod_include", "mod_include", Htaccess(Limit), Htaccess(Limit), 0), // docs give no Override
    d("SSILegacyExprParser", "", "mod_include", Absent, Htaccess(Limit), 0), // docs give no Override
    d("SSIStartTag", "mod_include", "mod_include", ServerOnly, ServerOnly, 0),
    d("SSITimeFormat", "mod_include", "mod_include", Always, Always, 0),
    d("SSIUndefinedEcho", "mod_include", "mod_include", Always, Always, 0),
    d("SSLCACertificateFile", "mod_ssl", "mod_ssl", ServerOnly, Htaccess(AuthConfig), 0), // docs: not in .htaccess
    d("SSLCACertificatePath", "mod_ssl", "mod_ssl", ServerOnly, Htaccess(AuthConfig), 0), // docs: not in .htaccess
    d("SSLCADNRequestFile", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLCADNRequestPath", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLCARevocationCheck", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLCARevocationFile", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLCARevocationPath", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLCertificateChainFile", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLCertificateFile", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLCertificateKeyFile", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLCipherSuite", "mod_ssl", "mod_ssl", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("SSLCompression", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 3),
    d("SSLCryptoDevice", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLEngine", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLFIPS", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLHonorCipherOrder", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLInsecureRenegotiation", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLLog", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0), // rejected everywhere: "no longer supported - use ErrorLog"; undocumented
    d("SSLLogLevel", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0), // rejected everywhere: "no longer supported - use LogLevel"; undocumented
    d("SSLMutex", "mod_ssl", "", ServerOnly, Absent, 0),
    d("SSLOCSPDefaultResponder", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLOCSPEnable", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLOCSPNoverify", "", "mod_ssl", Absent, ServerOnly, 26),
    d("SSLOCSPOverrideResponder", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLOCSPProxyURL", "", "mod_ssl", Absent, ServerOnly, 19),
    d("SSLOCSPResponderCertificateFile", "", "mod_ssl", Absent, ServerOnly, 26),
    d("SSLOCSPResponderTimeout", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLOCSPResponseMaxAge", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLOCSPResponseTimeSkew", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLOCSPUseRequestNonce", "", "mod_ssl", Absent, ServerOnly, 10),
    d("SSLOpenSSLConfCmd", "", "mod_ssl", Absent, ServerOnly, 8),
    d("SSLOptions", "mod_ssl", "mod_ssl", Htaccess(Options), Htaccess(Options), 0),
    d("SSLPassPhraseDialog", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLProtocol", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLProxyCACertificateFile", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLProxyCACertificatePath", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLProxyCARevocationCheck", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLProxyCARevocationFile", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLProxyCARevocationPath", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLProxyCheckPeerCN", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLProxyCheckPeerExpire", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLProxyCheckPeerName", "", "mod_ssl", Absent, ServerOnly, 5),
    d("SSLProxyCipherSuite", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLProxyEngine", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLProxyMachineCertificateChainFile", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLProxyMachineCertificateFile", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLProxyMachineCertificatePath", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLProxyProtocol", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLProxyVerify", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLProxyVerifyDepth", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLRandomSeed", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLRenegBufferSize", "mod_ssl", "mod_ssl", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("SSLRequire", "mod_ssl", "mod_ssl", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("SSLRequireSSL", "mod_ssl", "mod_ssl", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("SSLSessionCache", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLSessionCacheTimeout", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLSessionTicketKeyFile", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLSessionTickets", "", "mod_ssl", Absent, ServerOnly, 11),
    d("SSLSRPUnknownUserSeed", "", "mod_ssl", Absent, ServerOnly, 4),
    d("SSLSRPVerifierFile", "", "mod_ssl", Absent, ServerOnly, 4),
    d("SSLStaplingCache", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLStaplingErrorCacheTimeout", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLStaplingFakeTryLater", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLStaplingForceURL", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLStaplingResponderTimeout", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLStaplingResponseMaxAge", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLStaplingResponseTimeSkew", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLStaplingReturnResponderErrors", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLStaplingStandardCacheTimeout", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLStrictSNIVHostCheck", "mod_ssl", "mod_ssl", ServerOnly, ServerOnly, 0),
    d("SSLUserName", "mod_ssl", "mod_ssl", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("SSLUseStapling", "", "mod_ssl", Absent, ServerOnly, 0),
    d("SSLVerifyClient", "mod_ssl", "mod_ssl", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("SSLVerifyDepth", "mod_ssl", "mod_ssl", Htaccess(AuthConfig), Htaccess(AuthConfig), 0),
    d("SSLVHostSNIPolicy", "", "mod_ssl", Absent, ServerOnly, 66),
    d("StartServers", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("StartThreads", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0), // not in Debian's build
    d("StrictHostCheck", "", "core", Absent, ServerOnly, 49),
    d("Substitute", "mod_substitute", "mod_substitute", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("SubstituteInheritBefore", "", "mod_substitute", Absent, Htaccess(FileInfo), 17),
    d("SubstituteMaxLineLength", "", "mod_substitute", Absent, Htaccess(FileInfo), 11),
    d("Suexec", "", "mod_unixd", Absent, ServerOnly, 0),
    d("SuexecUserGroup", "mod_suexec", "mod_suexec", ServerOnly, ServerOnly, 0),
    d("ThreadLimit", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("ThreadsPerChild", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("ThreadStackSize", "mpm_common", "mpm_common", ServerOnly, ServerOnly, 0),
    d("TimeOut", "core", "core", ServerOnly, ServerOnly, 0),
    d("TraceEnable", "core", "core", ServerOnly, ServerOnly, 0),
    d("TransferLog", "mod_log_config", "mod_log_config", ServerOnly, ServerOnly, 0),
    d("TypesConfig", "mod_mime", "mod_mime", ServerOnly, ServerOnly, 0),
    d("UNCList", "", "core", Absent, ServerOnly, 60), // not in Debian's build
    d("UnDefine", "", "core", Absent, ServerOnly, 0),
    d("UndefMacro", "", "mod_macro", Absent, Always, 5), // docs: not in .htaccess
    d("UnsetEnv", "mod_env", "mod_env", Htaccess(FileInfo), Htaccess(FileInfo), 0),
    d("Use", "", "mod_macro", Absent, Always, 5), // docs: not in .htaccess
    d("UseCanonicalName", "core", "core", ServerOnly, ServerOnly, 0),
    d("UseCanonicalPhysicalPort", "core", "core", ServerOnly, ServerOnly, 0),
    d("User", "mpm_common", "mod_unixd", ServerOnly, ServerOnly, 0),
    d("UserDir", "mod_userdir", "mod_userdir", ServerOnly, ServerOnly, 0),
    d("VHostCGIMode", "", "mod_privileges", Absent, ServerOnly, 0), // not in Debian's build
    d("VHostCGIPrivs", "", "mod_privileges", Absent, ServerOnly, 0), // not in Debian's build
    d("VHostGroup", "", "mod_privileges", Absent, ServerOnly, 0), // not in Debian's build
    d("VHostPrivs", "", "mod_privileges", Absent, ServerOnly, 0), // not in Debian's build
    d("VHostSecure", "", "mod_privileges", Absent, ServerOnly, 0), // not in Debian's build
    d("VHostUser", "", "mod_privileges", Absent, ServerOnly, 0), // not in Debian's build
    d("VirtualDocumentRoot", "mod_vhost_alias", "mod_vhost_alias", ServerOnly, ServerOnly, 0),
    d("VirtualDocumentRootIP", "mod_vhost_alias", "mod_vhost_alias", ServerOnly, ServerOnly, 0),
    d("VirtualScriptAlias", "mod_vhost_alias", "mod_vhost_alias", ServerOnly, ServerOnly, 0),
    d("VirtualScriptAliasIP", "mod_vhost_alias", "mod_vhost_alias", ServerOnly, ServerOnly, 0),
    d("WatchdogInterval", "", "mod_watchdog", Absent, ServerOnly, 0),
    d("Win32DisableAcceptEx", "mpm_winnt", "", ServerOnly, Absent, 0),
    d("XBitHack", "mod_include", "mod_include", Htaccess(Options), Htaccess(Options), 0),
    d("xml2EncAlias", "", "mod_xml2enc", Absent, ServerOnly, 0),
    d("xml2EncDefault", "", "mod_xml2enc", Absent, Always, 0), // docs give no Override
    d("xml2StartParse", "", "mod_xml2enc", Absent, Always, 0), // docs give no Override
];

/// Sections (`<Name …>`) and whether each may appear in .htaccess, per version; names without angle brackets.
#[rustfmt::skip]
pub static SECTIONS: &[Directive] = &[
    d("AuthnProviderAlias", "mod_authn_alias", "mod_authn_core", ServerOnly, ServerOnly, 0),
    d("AuthzProviderAlias", "", "mod_authz_core", Absent, ServerOnly, 0),
    d("Directory", "core", "core", ServerOnly, ServerOnly, 0),
    d("DirectoryMatch", "core", "core", ServerOnly, ServerOnly, 0),
    d("Else", "", "core", Absent, Always, 0),
    d("ElseIf", "", "core", Absent, Always, 0),
    d("Files", "core", "core", Always, Always, 0),
    d("FilesMatch", "core", "core", Always, Always, 0),
    d("If", "", "core", Absent, Always, 0),
    d("IfDefine", "core", "core", Always, Always, 0),
    d("IfDirective", "", "core", Absent, Always, 34),
    d("IfFile", "", "core", Absent, Always, 34),
    d("IfModule", "core", "core", Always, Always, 0),
    d("IfSection", "", "core", Absent, Always, 34),
    d("IfVersion", "mod_version", "mod_version", Always, Always, 0),
    d("Limit", "core", "core", Always, Htaccess(AuthConfig), 0), // httpd accepts AuthConfig or Limit
    d("LimitExcept", "core", "core", Always, Htaccess(AuthConfig), 0), // httpd accepts AuthConfig or Limit
    d("Location", "core", "core", ServerOnly, ServerOnly, 0),
    d("LocationMatch", "core", "core", ServerOnly, ServerOnly, 0),
    d("LuaHookAccessChecker", "", "mod_lua", Absent, Always, 0),
    d("LuaHookAuthChecker", "", "mod_lua", Absent, Always, 0),
    d("LuaHookCheckUserID", "", "mod_lua", Absent, Always, 0),
    d("LuaHookFixups", "", "mod_lua", Absent, Always, 0),
    d("LuaHookMapToStorage", "", "mod_lua", Absent, Always, 0),
    d("LuaHookPreTranslateName", "", "mod_lua", Absent, Always, 0), // undocumented
    d("LuaHookTranslateName", "", "mod_lua", Absent, Always, 0),
    d("LuaHookTypeChecker", "", "mod_lua", Absent, Always, 0),
    d("LuaQuickHandler", "", "mod_lua", Absent, Always, 0),
    d("Macro", "", "mod_macro", Absent, Always, 5), // docs: not in .htaccess
    d("MDomain", "", "mod_md", Absent, ServerOnly, 30),
    d("MDomainSet", "", "mod_md", Absent, ServerOnly, 30),
    d("Proxy", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("ProxyMatch", "mod_proxy", "mod_proxy", ServerOnly, ServerOnly, 0),
    d("RequireAll", "", "mod_authz_core", Absent, Htaccess(AuthConfig), 0),
    d("RequireAny", "", "mod_authz_core", Absent, Htaccess(AuthConfig), 0),
    d("RequireNone", "", "mod_authz_core", Absent, Htaccess(AuthConfig), 0),
    d("VirtualHost", "core", "core", ServerOnly, ServerOnly, 0),
];

fn cmp_ignore_case(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

fn lookup(table: &'static [Directive], name: &str) -> Option<&'static Directive> {
    table.binary_search_by(|d| cmp_ignore_case(d.name, name)).ok().map(|i| &table[i])
}

/// Looks a directive up, case-insensitively.
pub fn find(name: &str) -> Option<&'static Directive> {
    lookup(DIRECTIVES, name)
}

/// Looks a section up, case-insensitively; "FilesMatch", "<FilesMatch" and "<FilesMatch>" all work.
pub fn find_section(name: &str) -> Option<&'static Directive> {
    let name = name.strip_prefix('<').unwrap_or(name);
    lookup(SECTIONS, name.strip_suffix('>').unwrap_or(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> &'static Directive {
        find(name).unwrap_or_else(|| panic!("{name} missing"))
    }

    fn sec(name: &str) -> &'static Directive {
        find_section(name).unwrap_or_else(|| panic!("<{name}> missing"))
    }

    fn check(x: &Directive, m22: &str, v22: Rule, m24: &str, v24: Rule) {
        assert_eq!((x.module_22, x.v22), (m22, v22), "{} in 2.2", x.name);
        assert_eq!((x.module_24, x.v24), (m24, v24), "{} in 2.4", x.name);
    }

    #[test]
    fn tables_are_sorted_unique_and_consistent() {
        for table in [DIRECTIVES, SECTIONS] {
            for w in table.windows(2) {
                let (a, b) = (w[0].name, w[1].name);
                assert_eq!(cmp_ignore_case(a, b), std::cmp::Ordering::Less, "{a} / {b}");
            }
            for x in table {
                assert!(!x.name.is_empty() && !x.name.contains(['<', '>', ' ']), "{}", x.name);
                assert_eq!(x.module_22.is_empty(), x.v22 == Absent, "{}", x.name);
                assert_eq!(x.module_24.is_empty(), x.v24 == Absent, "{}", x.name);
                assert!(x.v24 != Absent || x.since_24 == 0, "{}", x.name);
                assert!(x.v22 != Absent || x.v24 != Absent, "{}", x.name);
            }
        }
        assert!(DIRECTIVES.len() > 700 && SECTIONS.len() > 30);
    }

    #[test]
    fn lookup_ignores_case() {
        assert_eq!(dir("rewriterule").name, "RewriteRule");
        assert_eq!(dir("REWRITEENGINE").name, "RewriteEngine");
        assert_eq!(sec("filesmatch").name, "FilesMatch");
        assert_eq!(sec("<IfModule>").name, "IfModule");
        assert!(find("NoSuchDirective").is_none());
        assert!(find("FilesMatch").is_none() && find_section("RewriteRule").is_none());
    }

    #[test]
    fn access_control() {
        check(dir("Require"), "core", Htaccess(AuthConfig), "mod_authz_core", Htaccess(AuthConfig));
        for name in ["Order", "Allow", "Deny"] {
            check(dir(name), "mod_authz_host", Htaccess(Limit), "mod_access_compat", Htaccess(Limit));
        }
        check(dir("Satisfy"), "core", Htaccess(AuthConfig), "mod_access_compat", Htaccess(AuthConfig));
        for name in ["AuthType", "AuthName"] {
            check(dir(name), "core", Htaccess(AuthConfig), "mod_authn_core", Htaccess(AuthConfig));
        }
        check(dir("AuthUserFile"), "mod_authn_file", Htaccess(AuthConfig), "mod_authn_file", Htaccess(AuthConfig));
        check(dir("AuthBasicProvider"), "mod_auth_basic", Htaccess(AuthConfig), "mod_auth_basic", Htaccess(AuthConfig));
    }

    #[test]
    fn everyday_htaccess_directives() {
        for name in ["RewriteRule", "RewriteEngine", "RewriteCond", "RewriteBase"] {
            check(dir(name), "mod_rewrite", Htaccess(FileInfo), "mod_rewrite", Htaccess(FileInfo));
        }
        check(dir("Options"), "core", Htaccess(Options), "core", Htaccess(Options));
        check(dir("AddHandler"), "mod_mime", Htaccess(FileInfo), "mod_mime", Htaccess(FileInfo));
        // SetHandler moved into core in 2.0, so it is core in 2.2 as well.
        check(dir("SetHandler"), "core", Htaccess(FileInfo), "core", Htaccess(FileInfo));
        check(dir("DirectoryIndex"), "mod_dir", Htaccess(Indexes), "mod_dir", Htaccess(Indexes));
        check(dir("ErrorDocument"), "core", Htaccess(FileInfo), "core", Htaccess(FileInfo));
        check(dir("Header"), "mod_headers", Htaccess(FileInfo), "mod_headers", Htaccess(FileInfo));
        check(dir("ExpiresActive"), "mod_expires", Htaccess(Indexes), "mod_expires", Htaccess(Indexes));
        // PHP's own module asks for AllowOverride Options (OR_OPTIONS), not for nothing.
        check(dir("php_value"), "mod_php", Htaccess(Options), "mod_php", Htaccess(Options));
        check(dir("php_flag"), "mod_php", Htaccess(Options), "mod_php", Htaccess(Options));
        check(dir("php_admin_value"), "mod_php", ServerOnly, "mod_php", ServerOnly);
        check(dir("php_admin_flag"), "mod_php", ServerOnly, "mod_php", ServerOnly);
    }

    #[test]
    fn server_only() {
        for name in ["Listen", "LoadModule", "DocumentRoot", "ServerName", "AllowOverride"] {
            let x = dir(name);
            assert_eq!((x.v22, x.v24), (ServerOnly, ServerOnly), "{name}");
        }
        let x = dir("AllowOverrideList");
        assert_eq!((x.module_22, x.v22, x.module_24, x.v24, x.since_24), ("", Absent, "core", ServerOnly, 0));
        // Refused by the handler itself, though the docs allow .htaccess.
        assert_eq!(dir("LuaMapHandler").v24, ServerOnly);
        // Version-specific directives.
        assert_eq!((dir("RewriteLog").v22, dir("RewriteLog").v24), (ServerOnly, Absent));
        assert_eq!((dir("Define").v22, dir("Define").v24), (Absent, ServerOnly));
        assert_eq!(dir("CGIPassAuth").since_24, 13);
        assert_eq!(dir("H2Push").since_24, 18);
    }

    #[test]
    fn sections() {
        for name in ["RequireAll", "RequireAny", "RequireNone"] {
            check(sec(name), "", Absent, "mod_authz_core", Htaccess(AuthConfig));
        }
        for name in ["If", "ElseIf", "Else"] {
            check(sec(name), "", Absent, "core", Always);
            assert_eq!(sec(name).since_24, 0);
        }
        for name in ["Directory", "Location", "VirtualHost"] {
            check(sec(name), "core", ServerOnly, "core", ServerOnly);
        }
        for name in ["Files", "FilesMatch", "IfModule", "IfDefine"] {
            check(sec(name), "core", Always, "core", Always);
        }
        // 2.2 took <Limit> under any class; 2.4 wants AuthConfig or Limit.
        for name in ["Limit", "LimitExcept"] {
            check(sec(name), "core", Always, "core", Htaccess(AuthConfig));
        }
        check(sec("IfVersion"), "mod_version", Always, "mod_version", Always);
        assert_eq!(sec("IfFile").since_24, 34);
        check(sec("Proxy"), "mod_proxy", ServerOnly, "mod_proxy", ServerOnly);
    }
}
