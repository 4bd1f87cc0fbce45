//! Field specs: which fields of which kinds each transformer touches.
//!
//! All of kustomize's built-in transformer configuration lives here as data
//! (kustomize v5.5.0's `builtinpluginconsts`, restated as tables), together
//! with the walker that visits the fields a spec names.
//!
//! A path is `/`-separated (`\/` escapes a slash inside a key, as in
//! annotation names). A segment ending in `[]` names a list whose items are
//! visited; a list met anywhere on the way is walked item by item too.

use serde_json::{Map, Value};

use crate::resource::Gvk;

/// One field spec: a GVK selector (empty parts match anything), a path and
/// whether missing fields are created.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldSpec {
    /// Which objects the spec applies to.
    pub gvk: Gvk,
    /// The path segments.
    pub path: Vec<String>,
    /// The path as written.
    pub path_str: String,
    /// Create missing fields.
    pub create: bool,
}

impl FieldSpec {
    /// Builds a spec from its parts.
    pub fn new(group: &str, version: &str, kind: &str, path: &str, create: bool) -> Self {
        FieldSpec {
            gvk: Gvk {
                group: group.to_string(),
                version: version.to_string(),
                kind: kind.to_string(),
            },
            path: split_path(path),
            path_str: path.to_string(),
            create,
        }
    }

    /// Whether the spec applies to objects of this GVK.
    pub fn applies_to(&self, gvk: &Gvk) -> bool {
        self.applies_to_ref(&gvk.as_ref())
    }

    /// [`Self::applies_to`] for a borrowed type.
    pub(crate) fn applies_to_ref(&self, gvk: &crate::resource::GvkRef<'_>) -> bool {
        gvk.is_selected_by(&self.gvk)
    }
}

/// kustomize's `FsSlice.MergeOne`: appends `spec` unless a spec with the
/// same path whose type `spec` selects is already there; such a spec with
/// a different `create` flag is a conflict (`Err` with that spec).
pub(crate) fn merge_one<'a>(
    specs: &'a mut Vec<FieldSpec>,
    spec: &FieldSpec,
) -> Result<(), &'a FieldSpec> {
    match specs
        .iter()
        .position(|x| x.path_str == spec.path_str && x.gvk.is_selected_by(&spec.gvk))
    {
        Some(i) if specs[i].create != spec.create => Err(&specs[i]),
        Some(_) => Ok(()),
        None => {
            specs.push(spec.clone());
            Ok(())
        }
    }
}

/// Splits a field path on `/`, honouring `\/` escapes.
pub fn split_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'/') => {
                cur.push('/');
                chars.next();
            }
            '/' => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.retain(|s| !s.is_empty());
    out
}

/// What to create at the end of a path when it is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CreateKind {
    /// A mapping (labels, annotations).
    Map,
    /// A scalar (namespace, replicas).
    Scalar,
}

/// Visits every node the spec's path reaches in `obj`, creating missing
/// fields when the spec says so. `f` gets the node (which may be `Null` for
/// a freshly created scalar) and returns an error to abort.
pub(crate) fn visit<E>(
    obj: &mut Value,
    path: &[String],
    create: bool,
    kind: CreateKind,
    f: &mut dyn FnMut(&mut Value) -> Result<(), E>,
) -> Result<(), E> {
    walk(obj, path, create, kind, None, &mut |v, _| f(v))
}

/// The walk behind [`visit`] and `alias::visit_paths`: when `at` is given,
/// it holds the concrete path of the node `f` gets (list elements by
/// index); without it `f` gets an empty path and nothing is recorded.
pub(crate) fn walk<E>(
    obj: &mut Value,
    path: &[String],
    create: bool,
    kind: CreateKind,
    mut at: Option<&mut crate::alias::Path>,
    f: &mut crate::alias::PathVisitor<'_, E>,
) -> Result<(), E> {
    use crate::alias::Seg;
    let Some((first, rest)) = path.split_first() else {
        return f(obj, at.as_deref().map_or(&[], Vec::as_slice));
    };
    match obj {
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                if let Some(at) = at.as_deref_mut() {
                    at.push(Seg::Index(i));
                }
                let r = walk(item, path, create, kind, at.as_deref_mut(), f);
                if let Some(at) = at.as_deref_mut() {
                    at.pop();
                }
                r?;
            }
            Ok(())
        }
        Value::Object(map) => {
            let (name, is_seq) = match first.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (first.as_str(), false),
            };
            if !map.contains_key(name) {
                if !create || is_seq {
                    return Ok(());
                }
                let fresh = if rest.is_empty() {
                    match kind {
                        CreateKind::Map => Value::Object(Map::new()),
                        CreateKind::Scalar => Value::Null,
                    }
                } else {
                    Value::Object(Map::new())
                };
                map.insert(name.to_string(), fresh);
            }
            let Some(field) = map.get_mut(name) else {
                return Ok(());
            };
            if field.is_null() && create && !is_seq && (!rest.is_empty() || kind == CreateKind::Map)
            {
                *field = Value::Object(Map::new());
            }
            if field.is_null() && rest.is_empty() && kind == CreateKind::Map {
                return Ok(());
            }
            match at {
                Some(at) => {
                    at.push(Seg::Key(name.to_string()));
                    let r = walk(field, rest, create, kind, Some(&mut *at), f);
                    at.pop();
                    r
                }
                None => walk(field, rest, create, kind, None, f),
            }
        }
        _ => Ok(()),
    }
}

/// Whether a type is cluster-scoped in the Kubernetes API kustomize knows.
/// kustomize decides per apiVersion and kind (from the OpenAPI data it
/// embeds): a version it does not know, such as `flowcontrol.apiserver.k8s.io/v1`
/// or `extensions/v1beta1` PodSecurityPolicy, counts as namespaced.
pub(crate) fn is_cluster_scoped(group: &str, version: &str, kind: &str) -> bool {
    CLUSTER_SCOPED
        .iter()
        // Kind first: it differs in length for most entries, which rejects
        // without a byte comparison (this runs for every id computed).
        .any(|(g, vs, k)| *k == kind && *g == group && vs.contains(&version))
}

/// (group, versions, kind) of the cluster-scoped built-in types.
const CLUSTER_SCOPED: &[(&str, &[&str], &str)] = &[
    ("", &["v1"], "ComponentStatus"),
    ("", &["v1"], "Namespace"),
    ("", &["v1"], "Node"),
    ("", &["v1"], "NodeProxyOptions"),
    ("", &["v1"], "PersistentVolume"),
    (
        "admissionregistration.k8s.io",
        &["v1", "v1beta1"],
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io",
        &["v1", "v1beta1"],
        "ValidatingWebhookConfiguration",
    ),
    (
        "apiextensions.k8s.io",
        &["v1", "v1beta1"],
        "CustomResourceDefinition",
    ),
    ("apiregistration.k8s.io", &["v1", "v1beta1"], "APIService"),
    (
        "certificates.k8s.io",
        &["v1", "v1beta1"],
        "CertificateSigningRequest",
    ),
    ("flowcontrol.apiserver.k8s.io", &["v1beta1"], "FlowSchema"),
    (
        "flowcontrol.apiserver.k8s.io",
        &["v1beta1"],
        "PriorityLevelConfiguration",
    ),
    ("networking.k8s.io", &["v1", "v1beta1"], "IngressClass"),
    ("node.k8s.io", &["v1", "v1beta1"], "RuntimeClass"),
    ("policy", &["v1beta1"], "PodSecurityPolicy"),
    (
        "rbac.authorization.k8s.io",
        &["v1", "v1beta1"],
        "ClusterRole",
    ),
    (
        "rbac.authorization.k8s.io",
        &["v1", "v1beta1"],
        "ClusterRoleBinding",
    ),
    ("scheduling.k8s.io", &["v1", "v1beta1"], "PriorityClass"),
    ("storage.k8s.io", &["v1", "v1beta1"], "CSIDriver"),
    ("storage.k8s.io", &["v1", "v1beta1"], "CSINode"),
    ("storage.k8s.io", &["v1", "v1beta1"], "StorageClass"),
    ("storage.k8s.io", &["v1", "v1beta1"], "VolumeAttachment"),
];

/// A row of a field-spec table: group, version, kind, path, create.
type Row = (&'static str, &'static str, &'static str, &'static str, bool);

fn specs(rows: &[Row]) -> Vec<FieldSpec> {
    rows.iter()
        .map(|(g, v, k, p, c)| FieldSpec::new(g, v, k, p, *c))
        .collect()
}

/// `metadata/labels` plus pod-template and claim-template labels.
const METADATA_LABELS: &[Row] = &[
    ("", "", "", "metadata/labels", true),
    (
        "",
        "v1",
        "ReplicationController",
        "spec/template/metadata/labels",
        true,
    ),
    ("", "", "Deployment", "spec/template/metadata/labels", true),
    ("", "", "ReplicaSet", "spec/template/metadata/labels", true),
    ("", "", "DaemonSet", "spec/template/metadata/labels", true),
    (
        "apps",
        "",
        "StatefulSet",
        "spec/template/metadata/labels",
        true,
    ),
    (
        "apps",
        "",
        "StatefulSet",
        "spec/volumeClaimTemplates[]/metadata/labels",
        true,
    ),
    ("batch", "", "Job", "spec/template/metadata/labels", true),
    (
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/metadata/labels",
        true,
    ),
    (
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/spec/template/metadata/labels",
        true,
    ),
];

const AFFINITY: &[&str] = &[
    "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
];

/// Selector fields `commonLabels` (and `labels` with `includeSelectors`) touch.
fn selector_labels() -> Vec<FieldSpec> {
    let mut v = specs(&[
        ("", "v1", "Service", "spec/selector", true),
        ("", "v1", "ReplicationController", "spec/selector", true),
        ("", "", "Deployment", "spec/selector/matchLabels", true),
    ]);
    v.extend(
        AFFINITY
            .iter()
            .map(|p| FieldSpec::new("apps", "", "Deployment", p, false)),
    );
    v.extend(specs(&[
        ("", "", "ReplicaSet", "spec/selector/matchLabels", true),
        ("", "", "DaemonSet", "spec/selector/matchLabels", true),
        ("apps", "", "StatefulSet", "spec/selector/matchLabels", true),
    ]));
    v.extend(
        AFFINITY
            .iter()
            .map(|p| FieldSpec::new("apps", "", "StatefulSet", p, false)),
    );
    v.extend(specs(&[
        ("batch", "", "Job", "spec/selector/matchLabels", false),
        (
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/spec/selector/matchLabels",
            false,
        ),
        (
            "policy",
            "",
            "PodDisruptionBudget",
            "spec/selector/matchLabels",
            false,
        ),
        (
            "networking.k8s.io",
            "",
            "NetworkPolicy",
            "spec/podSelector/matchLabels",
            false,
        ),
        (
            "networking.k8s.io",
            "",
            "NetworkPolicy",
            "spec/ingress/from/podSelector/matchLabels",
            false,
        ),
        (
            "networking.k8s.io",
            "",
            "NetworkPolicy",
            "spec/egress/to/podSelector/matchLabels",
            false,
        ),
    ]));
    v
}

const COMMON_ANNOTATIONS: &[Row] = &[
    ("", "", "", "metadata/annotations", true),
    (
        "",
        "v1",
        "ReplicationController",
        "spec/template/metadata/annotations",
        true,
    ),
    (
        "",
        "",
        "Deployment",
        "spec/template/metadata/annotations",
        true,
    ),
    (
        "",
        "",
        "ReplicaSet",
        "spec/template/metadata/annotations",
        true,
    ),
    (
        "",
        "",
        "DaemonSet",
        "spec/template/metadata/annotations",
        true,
    ),
    (
        "apps",
        "",
        "StatefulSet",
        "spec/template/metadata/annotations",
        true,
    ),
    (
        "batch",
        "",
        "Job",
        "spec/template/metadata/annotations",
        true,
    ),
    (
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/metadata/annotations",
        true,
    ),
    (
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/spec/template/metadata/annotations",
        true,
    ),
];

const NAMESPACE: &[Row] = &[
    ("", "", "", "metadata/namespace", true),
    ("", "", "Namespace", "metadata/name", true),
    ("", "", "RoleBinding", "subjects", false),
    ("", "", "ClusterRoleBinding", "subjects", false),
    (
        "apiregistration.k8s.io",
        "",
        "APIService",
        "spec/service/namespace",
        true,
    ),
    (
        "apiextensions.k8s.io",
        "",
        "CustomResourceDefinition",
        "spec/conversion/webhook/clientConfig/service/namespace",
        false,
    ),
];

const NAME_PREFIX: &[Row] = &[("", "", "", "metadata/name", false)];

const IMAGES: &[Row] = &[
    ("", "", "", "spec/containers[]/image", false),
    ("", "", "", "spec/initContainers[]/image", false),
    ("", "", "", "spec/template/spec/containers[]/image", false),
    (
        "",
        "",
        "",
        "spec/template/spec/initContainers[]/image",
        false,
    ),
];

const REPLICAS: &[Row] = &[
    ("", "", "Deployment", "spec/replicas", true),
    ("", "", "ReplicationController", "spec/replicas", true),
    ("", "", "ReplicaSet", "spec/replicas", true),
    ("", "", "StatefulSet", "spec/replicas", true),
];

/// The pod-spec places that reference ConfigMaps/Secrets/PVCs/…, per
/// workload kind: (group, kind, prefix of the pod spec).
const POD_SPEC_OWNERS: &[(&str, &str, &str)] = &[
    ("", "Pod", "spec"),
    ("", "Deployment", "spec/template/spec"),
    ("", "ReplicaSet", "spec/template/spec"),
    ("", "DaemonSet", "spec/template/spec"),
    ("", "StatefulSet", "spec/template/spec"),
    ("", "Job", "spec/template/spec"),
    ("", "CronJob", "spec/jobTemplate/spec/template/spec"),
    ("", "ReplicationController", "spec/template/spec"),
];

/// A name-reference entry: objects of `target` kind are referred to by name
/// from the `referrers` fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameBackRef {
    /// The referenced type.
    pub target: Gvk,
    /// Where it is referenced from.
    pub referrers: Vec<FieldSpec>,
}

fn gvk(group: &str, version: &str, kind: &str) -> Gvk {
    Gvk {
        group: group.into(),
        version: version.into(),
        kind: kind.into(),
    }
}

fn pod_refs(suffixes: &[&str], skip: &[&str], version_pod: bool) -> Vec<FieldSpec> {
    let mut v = Vec::new();
    for (g, kind, prefix) in POD_SPEC_OWNERS {
        if skip.contains(kind) {
            continue;
        }
        let ver = if *kind == "Pod" && version_pod {
            "v1"
        } else {
            ""
        };
        for s in suffixes {
            v.push(FieldSpec::new(
                g,
                ver,
                kind,
                &format!("{prefix}/{s}"),
                false,
            ));
        }
    }
    v
}

/// kustomize's built-in name-reference table.
fn name_references() -> Vec<NameBackRef> {
    let mut out = Vec::new();
    for kind in [
        "Deployment",
        "ReplicationController",
        "ReplicaSet",
        "StatefulSet",
    ] {
        out.push(NameBackRef {
            target: gvk("", "", kind),
            referrers: vec![FieldSpec::new(
                "",
                "",
                "HorizontalPodAutoscaler",
                "spec/scaleTargetRef/name",
                false,
            )],
        });
    }
    // ConfigMap.
    let mut cm = pod_refs(
        &[
            "volumes/configMap/name",
            "containers/env/valueFrom/configMapKeyRef/name",
            "initContainers/env/valueFrom/configMapKeyRef/name",
            "containers/envFrom/configMapRef/name",
            "initContainers/envFrom/configMapRef/name",
            "volumes/projected/sources/configMap/name",
        ],
        &["ReplicationController"],
        true,
    );
    cm.extend(specs(&[
        ("", "", "Node", "spec/configSource/configMap", false),
        ("", "", "Role", "rules/resourceNames", false),
        ("", "", "ClusterRole", "rules/resourceNames", false),
        (
            "",
            "",
            "Ingress",
            "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap",
            false,
        ),
        (
            "serving.knative.dev",
            "v1",
            "Service",
            "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name",
            false,
        ),
        (
            "serving.knative.dev",
            "v1",
            "Service",
            "spec/template/spec/containers/envFrom/configMapRef/name",
            false,
        ),
    ]));
    out.push(NameBackRef {
        target: gvk("", "v1", "ConfigMap"),
        referrers: cm,
    });
    // Secret.
    let mut secret = pod_refs(
        &[
            "volumes/secret/secretName",
            "containers/env/valueFrom/secretKeyRef/name",
            "initContainers/env/valueFrom/secretKeyRef/name",
            "containers/envFrom/secretRef/name",
            "initContainers/envFrom/secretRef/name",
            "imagePullSecrets/name",
            "volumes/projected/sources/secret/name",
        ],
        &["ReplicationController"],
        true,
    );
    secret.extend(specs(&[
        ("", "", "Ingress", "spec/tls/secretName", false),
        (
            "",
            "",
            "Ingress",
            "metadata/annotations/ingress.kubernetes.io\\/auth-secret",
            false,
        ),
        (
            "",
            "",
            "Ingress",
            "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
            false,
        ),
        (
            "",
            "",
            "Ingress",
            "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret",
            false,
        ),
        ("", "", "ServiceAccount", "imagePullSecrets/name", false),
        ("", "", "StorageClass", "parameters/secretName", false),
        ("", "", "StorageClass", "parameters/adminSecretName", false),
        ("", "", "StorageClass", "parameters/userSecretName", false),
        ("", "", "StorageClass", "parameters/secretRef", false),
        ("", "", "Role", "rules/resourceNames", false),
        ("", "", "ClusterRole", "rules/resourceNames", false),
        (
            "serving.knative.dev",
            "v1",
            "Service",
            "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
            false,
        ),
        (
            "",
            "",
            "PersistentVolume",
            "spec/azureFile/secretName",
            false,
        ),
    ]));
    out.push(NameBackRef {
        target: gvk("", "v1", "Secret"),
        referrers: secret,
    });
    // Service.
    out.push(NameBackRef {
        target: gvk("", "v1", "Service"),
        referrers: specs(&[
            ("apps", "", "StatefulSet", "spec/serviceName", false),
            (
                "",
                "",
                "Ingress",
                "spec/rules/http/paths/backend/serviceName",
                false,
            ),
            ("", "", "Ingress", "spec/backend/serviceName", false),
            (
                "",
                "",
                "Ingress",
                "spec/rules/http/paths/backend/service/name",
                false,
            ),
            ("", "", "Ingress", "spec/defaultBackend/service/name", false),
            (
                "apiregistration.k8s.io",
                "",
                "APIService",
                "spec/service/name",
                false,
            ),
            (
                "admissionregistration.k8s.io",
                "",
                "ValidatingWebhookConfiguration",
                "webhooks/clientConfig/service",
                false,
            ),
            (
                "admissionregistration.k8s.io",
                "",
                "MutatingWebhookConfiguration",
                "webhooks/clientConfig/service",
                false,
            ),
        ]),
    });
    // RBAC.
    out.push(NameBackRef {
        target: gvk("rbac.authorization.k8s.io", "", "Role"),
        referrers: specs(&[(
            "rbac.authorization.k8s.io",
            "",
            "RoleBinding",
            "roleRef/name",
            false,
        )]),
    });
    out.push(NameBackRef {
        target: gvk("rbac.authorization.k8s.io", "", "ClusterRole"),
        referrers: specs(&[
            (
                "rbac.authorization.k8s.io",
                "",
                "RoleBinding",
                "roleRef/name",
                false,
            ),
            (
                "rbac.authorization.k8s.io",
                "",
                "ClusterRoleBinding",
                "roleRef/name",
                false,
            ),
        ]),
    });
    let mut sa = specs(&[
        (
            "rbac.authorization.k8s.io",
            "",
            "RoleBinding",
            "subjects",
            false,
        ),
        (
            "rbac.authorization.k8s.io",
            "",
            "ClusterRoleBinding",
            "subjects",
            false,
        ),
    ]);
    sa.extend(pod_refs(&["serviceAccountName"], &["ReplicaSet"], false));
    out.push(NameBackRef {
        target: gvk("", "v1", "ServiceAccount"),
        referrers: sa,
    });
    out.push(NameBackRef {
        target: gvk("", "v1", "PersistentVolumeClaim"),
        referrers: pod_refs(
            &["volumes/persistentVolumeClaim/claimName"],
            &["ReplicaSet"],
            false,
        ),
    });
    out.push(NameBackRef {
        target: gvk("", "v1", "PersistentVolume"),
        referrers: specs(&[
            ("", "", "PersistentVolumeClaim", "spec/volumeName", false),
            ("", "", "ClusterRole", "rules/resourceNames", false),
        ]),
    });
    out.push(NameBackRef {
        target: gvk("storage.k8s.io", "v1", "StorageClass"),
        referrers: specs(&[
            ("", "", "PersistentVolume", "spec/storageClassName", false),
            (
                "",
                "",
                "PersistentVolumeClaim",
                "spec/storageClassName",
                false,
            ),
            (
                "",
                "",
                "StatefulSet",
                "spec/volumeClaimTemplates/spec/storageClassName",
                false,
            ),
        ]),
    });
    out.push(NameBackRef {
        target: gvk("scheduling.k8s.io", "v1", "PriorityClass"),
        referrers: pod_refs(&["priorityClassName"], &["ReplicaSet"], false),
    });
    // kustomize's table names this group "networking.k8s.io/v1", which no
    // IngressClass has: `ingressClassName` is never renamed.
    out.push(NameBackRef {
        target: gvk("networking.k8s.io/v1", "v1", "IngressClass"),
        referrers: specs(&[("", "", "Ingress", "spec/ingressClassName", false)]),
    });
    out.push(NameBackRef {
        target: gvk(
            "admissionregistration.k8s.io",
            "",
            "ValidatingAdmissionPolicy",
        ),
        referrers: specs(&[(
            "admissionregistration.k8s.io",
            "",
            "ValidatingAdmissionPolicyBinding",
            "spec/policyName",
            false,
        )]),
    });
    out
}

/// The field specs every transformer uses; kustomizations extend them with
/// `configurations:` and `crds:`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransformerConfig {
    /// `namePrefix`/`nameSuffix` targets.
    pub name_prefix: Vec<FieldSpec>,
    /// Namespace fields.
    pub namespace: Vec<FieldSpec>,
    /// `commonLabels` fields (metadata, templates and selectors).
    pub common_labels: Vec<FieldSpec>,
    /// Pod-template label fields (`labels` with `includeTemplates`).
    pub template_labels: Vec<FieldSpec>,
    /// `commonAnnotations` fields.
    pub common_annotations: Vec<FieldSpec>,
    /// Image fields.
    pub images: Vec<FieldSpec>,
    /// Replica count fields.
    pub replicas: Vec<FieldSpec>,
    /// Name references.
    pub name_reference: Vec<NameBackRef>,
    /// Fields where `$(VAR)` references are expanded.
    pub var_reference: Vec<FieldSpec>,
}

impl TransformerConfig {
    /// kustomize's default configuration.
    pub fn builtin() -> Self {
        let mut common_labels = selector_labels();
        common_labels.extend(specs(METADATA_LABELS));
        TransformerConfig {
            name_prefix: specs(NAME_PREFIX),
            namespace: specs(NAMESPACE),
            common_labels,
            template_labels: specs(&METADATA_LABELS[1..]),
            common_annotations: specs(COMMON_ANNOTATIONS),
            images: specs(IMAGES),
            replicas: specs(REPLICAS),
            name_reference: name_references(),
            var_reference: crate::vars::default_var_reference(),
        }
    }

    /// Merges another configuration into this one the way kustomize does:
    /// an incoming spec is dropped when an existing one with the same path
    /// is selected by the incoming spec's GVK (so a specific spec already
    /// present shadows a generic one merged later).
    pub fn merge(&mut self, other: &TransformerConfig) {
        if self == other {
            return;
        }
        fn add(dst: &mut Vec<FieldSpec>, src: &[FieldSpec]) {
            for s in src {
                let present = dst
                    .iter()
                    .any(|x| x.path_str == s.path_str && x.gvk.is_selected_by(&s.gvk));
                if !present {
                    dst.push(s.clone());
                }
            }
        }
        add(&mut self.name_prefix, &other.name_prefix);
        add(&mut self.namespace, &other.namespace);
        add(&mut self.common_labels, &other.common_labels);
        add(&mut self.template_labels, &other.template_labels);
        add(&mut self.common_annotations, &other.common_annotations);
        add(&mut self.images, &other.images);
        add(&mut self.replicas, &other.replicas);
        add(&mut self.var_reference, &other.var_reference);
        for b in &other.name_reference {
            match self
                .name_reference
                .iter_mut()
                .find(|x| x.target == b.target)
            {
                Some(x) => add(&mut x.referrers, &b.referrers),
                None => self.name_reference.push(b.clone()),
            }
        }
    }

    /// Whether nothing is configured.
    pub fn is_empty(&self) -> bool {
        *self == TransformerConfig::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn split_honours_escapes() {
        assert_eq!(
            split_path("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret"),
            vec![
                "metadata",
                "annotations",
                "nginx.ingress.kubernetes.io/auth-secret"
            ]
        );
    }

    #[test]
    fn visit_walks_lists_and_creates_maps() {
        let mut obj =
            json!({"spec": {"containers": [{"image": "a"}, {"image": "b"}, {"name": "x"}]}});
        let mut seen = Vec::new();
        visit::<()>(
            &mut obj,
            &split_path("spec/containers[]/image"),
            false,
            CreateKind::Scalar,
            &mut |v| {
                seen.push(v.clone());
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, vec![json!("a"), json!("b")]);

        let mut obj = json!({"metadata": {}});
        visit::<()>(
            &mut obj,
            &split_path("spec/template/metadata/labels"),
            true,
            CreateKind::Map,
            &mut |v| {
                v.as_object_mut().unwrap().insert("a".into(), json!("b"));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(obj["spec"]["template"]["metadata"]["labels"]["a"], "b");
    }

    #[test]
    fn visit_does_not_create_lists() {
        let mut obj = json!({"spec": {}});
        visit::<()>(
            &mut obj,
            &split_path("spec/volumeClaimTemplates[]/metadata/labels"),
            true,
            CreateKind::Map,
            &mut |_| Ok(()),
        )
        .unwrap();
        assert_eq!(obj, json!({"spec": {}}));
    }

    #[test]
    fn builtin_config_has_core_entries() {
        let c = TransformerConfig::builtin();
        assert!(
            c.name_reference
                .iter()
                .any(|b| b.target.kind == "ConfigMap")
        );
        assert!(
            c.common_labels
                .iter()
                .any(|f| f.path_str == "spec/selector/matchLabels")
        );
        assert!(is_cluster_scoped(
            "rbac.authorization.k8s.io",
            "v1",
            "ClusterRole"
        ));
        assert!(!is_cluster_scoped("", "v1", "ConfigMap"));
        // Per version: kustomize does not know this one.
        assert!(!is_cluster_scoped(
            "flowcontrol.apiserver.k8s.io",
            "v1",
            "FlowSchema"
        ));
    }
}
