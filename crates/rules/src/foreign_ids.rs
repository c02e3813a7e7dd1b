//! The check ids of the tools dockopt replaces: every hadolint rule (`DLxxxx`, as of hadolint
//! 2.15, plus the ids it has retired), every BuildKit build check, and the Trivy (`DS-xxxx`)
//! and Checkov (`CKV_DOCKER_x`, `CKV2_DOCKER_x`) ids dockopt's rules correspond to.
//!
//! A suppression or config entry naming one of these ids is valid even when dockopt has no
//! rule for it: it silences a check dockopt does not make, so there is nothing to report.
//! The rules' own `aliases` say which ids map to which rule; this table says which ids exist.

/// The tool an id belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tool {
    Hadolint,
    BuildKit,
    Trivy,
    Checkov,
}

impl Tool {
    /// All tools, in the order `dockopt rules --aliases` lists them.
    pub const ALL: [Tool; 4] = [Tool::Hadolint, Tool::BuildKit, Tool::Trivy, Tool::Checkov];

    pub fn as_str(self) -> &'static str {
        match self {
            Tool::Hadolint => "hadolint",
            Tool::BuildKit => "buildkit",
            Tool::Trivy => "trivy",
            Tool::Checkov => "checkov",
        }
    }
}

impl std::fmt::Display for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check of another tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForeignId {
    pub tool: Tool,
    /// The id as the tool spells it.
    pub id: &'static str,
    /// What the tool checks, in a few words.
    pub summary: &'static str,
    /// Whether the tool no longer has this check (an old config may still name it).
    pub retired: bool,
}

const fn id(tool: Tool, id: &'static str, summary: &'static str) -> ForeignId {
    ForeignId {
        tool,
        id,
        summary,
        retired: false,
    }
}

const fn retired(tool: Tool, id: &'static str, summary: &'static str) -> ForeignId {
    ForeignId {
        tool,
        id,
        summary,
        retired: true,
    }
}

use Tool::{BuildKit, Checkov, Hadolint, Trivy};

/// Every known id, grouped by tool, in each tool's order.
pub static FOREIGN_IDS: &[ForeignId] = &[
    id(Hadolint, "DL1000", "the Dockerfile does not parse"),
    id(Hadolint, "DL1001", "inline ignore pragmas are used"),
    id(Hadolint, "DL3000", "use an absolute WORKDIR"),
    id(
        Hadolint,
        "DL3001",
        "commands that make no sense in a container (ssh, vim, ...)",
    ),
    id(Hadolint, "DL3002", "the last USER should not be root"),
    id(Hadolint, "DL3003", "use WORKDIR to switch to a directory"),
    id(Hadolint, "DL3004", "do not use sudo"),
    retired(
        Hadolint,
        "DL3005",
        "do not use apt-get upgrade or dist-upgrade",
    ),
    id(Hadolint, "DL3006", "always tag the version of an image"),
    id(Hadolint, "DL3007", "do not use the latest tag"),
    id(Hadolint, "DL3008", "pin versions in apt-get install"),
    id(Hadolint, "DL3009", "delete the apt lists after installing"),
    id(
        Hadolint,
        "DL3010",
        "use ADD to extract archives into an image",
    ),
    id(Hadolint, "DL3011", "valid UNIX ports range from 0 to 65535"),
    id(Hadolint, "DL3012", "multiple HEALTHCHECK instructions"),
    id(Hadolint, "DL3013", "pin versions in pip"),
    id(Hadolint, "DL3014", "use the -y switch with apt-get install"),
    id(Hadolint, "DL3015", "use --no-install-recommends"),
    id(Hadolint, "DL3016", "pin versions in npm"),
    retired(Hadolint, "DL3017", "do not use apk upgrade"),
    id(Hadolint, "DL3018", "pin versions in apk add"),
    id(Hadolint, "DL3019", "use apk add --no-cache"),
    id(
        Hadolint,
        "DL3020",
        "use COPY instead of ADD for files and folders",
    ),
    id(
        Hadolint,
        "DL3021",
        "COPY with more than 2 arguments needs a destination ending in /",
    ),
    id(
        Hadolint,
        "DL3022",
        "COPY --from should reference a previously defined stage",
    ),
    id(
        Hadolint,
        "DL3023",
        "COPY --from cannot reference its own stage",
    ),
    id(Hadolint, "DL3024", "stage names must be unique"),
    id(
        Hadolint,
        "DL3025",
        "use JSON notation for CMD and ENTRYPOINT",
    ),
    id(Hadolint, "DL3026", "use only an allowed registry in FROM"),
    id(
        Hadolint,
        "DL3027",
        "use apt-get or apt-cache instead of apt",
    ),
    id(Hadolint, "DL3028", "pin versions in gem install"),
    id(Hadolint, "DL3029", "do not use --platform with FROM"),
    id(Hadolint, "DL3030", "use the -y switch with yum install"),
    retired(Hadolint, "DL3031", "do not use yum update"),
    id(Hadolint, "DL3032", "yum clean all missing after yum"),
    id(Hadolint, "DL3033", "pin versions in yum install"),
    id(
        Hadolint,
        "DL3034",
        "use the non-interactive switch with zypper",
    ),
    id(Hadolint, "DL3035", "do not use zypper dist-upgrade"),
    id(Hadolint, "DL3036", "zypper clean missing after zypper"),
    id(Hadolint, "DL3037", "pin versions in zypper install"),
    id(Hadolint, "DL3038", "use the -y switch with dnf install"),
    retired(Hadolint, "DL3039", "do not use dnf update"),
    id(Hadolint, "DL3040", "dnf clean all missing after dnf"),
    id(Hadolint, "DL3041", "pin versions in dnf install"),
    id(Hadolint, "DL3042", "use pip install --no-cache-dir"),
    id(
        Hadolint,
        "DL3043",
        "ONBUILD, FROM or MAINTAINER triggered from ONBUILD",
    ),
    id(Hadolint, "DL3044", "ENV refers to a variable it defines"),
    id(
        Hadolint,
        "DL3045",
        "COPY to a relative destination without WORKDIR",
    ),
    id(Hadolint, "DL3046", "useradd without -l and a high UID"),
    id(
        Hadolint,
        "DL3047",
        "wget without --progress bloats build logs",
    ),
    id(Hadolint, "DL3048", "invalid label key"),
    id(Hadolint, "DL3049", "a label of the schema is missing"),
    id(Hadolint, "DL3050", "superfluous labels with strict labels"),
    id(Hadolint, "DL3051", "a label is empty"),
    id(Hadolint, "DL3052", "a label is not a valid URL"),
    id(Hadolint, "DL3053", "a label is not an RFC 3339 time"),
    id(Hadolint, "DL3054", "a label is not an SPDX identifier"),
    id(Hadolint, "DL3055", "a label is not a git hash"),
    id(Hadolint, "DL3056", "a label is not a semantic version"),
    id(Hadolint, "DL3057", "HEALTHCHECK instruction missing"),
    id(Hadolint, "DL3058", "a label is not an email address"),
    id(Hadolint, "DL3059", "multiple consecutive RUN instructions"),
    id(
        Hadolint,
        "DL3060",
        "yarn cache clean missing after yarn install",
    ),
    id(
        Hadolint,
        "DL3061",
        "the Dockerfile must begin with FROM, ARG or a comment",
    ),
    id(Hadolint, "DL3062", "pin versions in go install"),
    id(Hadolint, "DL3063", "stage name is a reserved word"),
    id(Hadolint, "DL3064", "sensitive data in ARG or ENV"),
    id(
        Hadolint,
        "DL3065",
        "FROM --platform=$TARGETPLATFORM is redundant",
    ),
    id(
        Hadolint,
        "DL3066",
        "non-numeric USER may not resolve on the host",
    ),
    id(
        Hadolint,
        "DL3067",
        "do not copy an entire filesystem from another stage",
    ),
    id(Hadolint, "DL4000", "MAINTAINER is deprecated"),
    id(Hadolint, "DL4001", "either use wget or curl, not both"),
    id(Hadolint, "DL4003", "multiple CMD instructions"),
    id(Hadolint, "DL4004", "multiple ENTRYPOINT instructions"),
    id(Hadolint, "DL4005", "use SHELL to change the default shell"),
    id(Hadolint, "DL4006", "set -o pipefail before RUN with a pipe"),
    id(
        BuildKit,
        "ConsistentInstructionCasing",
        "instructions should use one casing",
    ),
    id(
        BuildKit,
        "CopyIgnoredFile",
        "COPY of a file excluded by .dockerignore",
    ),
    id(
        BuildKit,
        "DuplicateStageName",
        "stage names should be unique",
    ),
    id(
        BuildKit,
        "ExposeInvalidFormat",
        "EXPOSE with an IP address or a host port",
    ),
    id(
        BuildKit,
        "ExposeProtoCasing",
        "EXPOSE protocol should be lower case",
    ),
    id(
        BuildKit,
        "FromAsCasing",
        "AS should match the casing of FROM",
    ),
    id(
        BuildKit,
        "FromPlatformFlagConstDisallowed",
        "FROM --platform with a constant",
    ),
    id(
        BuildKit,
        "InvalidBaseImagePlatform",
        "the base image platform does not match the target",
    ),
    id(
        BuildKit,
        "InvalidDefaultArgInFrom",
        "a global ARG default gives an invalid base image",
    ),
    id(
        BuildKit,
        "InvalidDefinitionDescription",
        "stage or ARG description comment format",
    ),
    id(
        BuildKit,
        "JSONArgsRecommended",
        "JSON arguments recommended for ENTRYPOINT and CMD",
    ),
    id(
        BuildKit,
        "LegacyKeyValueFormat",
        "legacy `KEY value` format",
    ),
    id(BuildKit, "MaintainerDeprecated", "MAINTAINER is deprecated"),
    id(
        BuildKit,
        "MultipleInstructionsDisallowed",
        "several CMD, ENTRYPOINT or HEALTHCHECK in a stage",
    ),
    id(BuildKit, "NoEmptyContinuation", "empty continuation lines"),
    id(
        BuildKit,
        "RedundantTargetPlatform",
        "FROM --platform=$TARGETPLATFORM is redundant",
    ),
    id(
        BuildKit,
        "ReservedStageName",
        "reserved words used as stage names",
    ),
    id(
        BuildKit,
        "SecretsUsedInArgOrEnv",
        "sensitive data in ARG or ENV",
    ),
    id(
        BuildKit,
        "StageNameCasing",
        "stage names should be lower case",
    ),
    id(
        BuildKit,
        "UndefinedArgInFrom",
        "FROM uses an undeclared ARG",
    ),
    id(
        BuildKit,
        "UndefinedVar",
        "a variable is used before it is defined",
    ),
    id(
        BuildKit,
        "WorkdirRelativePath",
        "relative WORKDIR without an absolute one before",
    ),
    id(Trivy, "DS-0001", "':latest' tag used"),
    id(Trivy, "DS-0002", "image user should not be root"),
    id(Trivy, "DS-0004", "port 22 exposed"),
    id(Trivy, "DS-0005", "ADD instead of COPY"),
    id(Trivy, "DS-0006", "COPY --from references the current stage"),
    id(Trivy, "DS-0007", "multiple ENTRYPOINT instructions"),
    id(Trivy, "DS-0008", "exposed port out of range"),
    id(Trivy, "DS-0009", "WORKDIR path not absolute"),
    id(Trivy, "DS-0010", "sudo used"),
    id(
        Trivy,
        "DS-0011",
        "COPY with more than two arguments not ending with a slash",
    ),
    id(Trivy, "DS-0012", "duplicate stage alias"),
    id(Trivy, "DS-0013", "RUN cd used instead of WORKDIR"),
    id(Trivy, "DS-0014", "RUN using both wget and curl"),
    id(Trivy, "DS-0016", "multiple CMD instructions"),
    id(Trivy, "DS-0022", "MAINTAINER is deprecated"),
    id(Trivy, "DS-0023", "multiple HEALTHCHECK instructions"),
    id(Trivy, "DS-0026", "no HEALTHCHECK defined"),
    id(
        Trivy,
        "DS-0029",
        "apt-get install without --no-install-recommends",
    ),
    id(Trivy, "DS-0031", "secrets passed via ARG or ENV"),
    id(Checkov, "CKV_DOCKER_1", "port 22 exposed"),
    id(Checkov, "CKV_DOCKER_2", "no HEALTHCHECK"),
    id(Checkov, "CKV_DOCKER_3", "no non-root user created"),
    id(Checkov, "CKV_DOCKER_4", "ADD instead of COPY"),
    id(Checkov, "CKV_DOCKER_6", "MAINTAINER is deprecated"),
    id(Checkov, "CKV_DOCKER_7", "base image uses the latest tag"),
    id(Checkov, "CKV_DOCKER_8", "the last USER is root"),
    id(Checkov, "CKV_DOCKER_9", "apt used instead of apt-get"),
    id(Checkov, "CKV_DOCKER_10", "WORKDIR values are not absolute"),
    id(Checkov, "CKV_DOCKER_11", "FROM aliases are not unique"),
    id(
        Checkov,
        "CKV2_DOCKER_2",
        "curl certificate validation disabled",
    ),
    id(
        Checkov,
        "CKV2_DOCKER_3",
        "wget certificate validation disabled",
    ),
    id(Checkov, "CKV2_DOCKER_4", "pip trusted host set"),
    id(
        Checkov,
        "CKV2_DOCKER_5",
        "PYTHONHTTPSVERIFY disables certificate validation",
    ),
    id(
        Checkov,
        "CKV2_DOCKER_6",
        "NODE_TLS_REJECT_UNAUTHORIZED disables certificate validation",
    ),
    id(Checkov, "CKV2_DOCKER_7", "apk --allow-untrusted"),
    id(Checkov, "CKV2_DOCKER_8", "apt-get --allow-unauthenticated"),
    id(
        Checkov,
        "CKV2_DOCKER_9",
        "--nogpgcheck with dnf, yum or tdnf",
    ),
    id(
        Checkov,
        "CKV2_DOCKER_10",
        "RPM signature validation disabled",
    ),
    id(Checkov, "CKV2_DOCKER_11", "apt-get --force-yes"),
    id(Checkov, "CKV2_DOCKER_12", "NPM_CONFIG_STRICT_SSL=false"),
    id(
        Checkov,
        "CKV2_DOCKER_13",
        "strict-ssl false in npm or yarn config",
    ),
    id(Checkov, "CKV2_DOCKER_14", "GIT_SSL_NO_VERIFY set"),
    id(Checkov, "CKV2_DOCKER_15", "sslverify=false for yum or dnf"),
    id(Checkov, "CKV2_DOCKER_16", "PIP_TRUSTED_HOST set"),
];

/// The id `text` names, ignoring case.
pub fn lookup(text: &str) -> Option<&'static ForeignId> {
    let text = text.trim();
    FOREIGN_IDS.iter().find(|f| f.id.eq_ignore_ascii_case(text))
}

/// Whether `text` names a check of another tool that dockopt knows of.
pub fn is_known(text: &str) -> bool {
    lookup(text).is_some()
}

/// The ids of one tool, in table order.
pub fn of_tool(tool: Tool) -> impl Iterator<Item = &'static ForeignId> {
    FOREIGN_IDS.iter().filter(move |f| f.tool == tool)
}
