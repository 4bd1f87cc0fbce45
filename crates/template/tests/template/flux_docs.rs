//! Flux's documented commit-message templates, rendered over the data of one update.
//!
//! Templates come from the ImageUpdateAutomation API docs (fluxcd/image-automation-controller,
//! docs/spec/v1/imageupdateautomations.md, "Message Template" and "Gerrit"/"Gitea" sections),
//! the image-update guide (fluxcd/website, content/en/flux/guides/image-update.md) and the
//! controller's v0.7.0 changelog; Flux is Apache-2.0. The YAML block scalars (`|`) there are
//! reproduced with their indentation removed and the final newline kept. Expected outputs are
//! worked out from Go's text/template rules (trim markers, sorted map iteration, `fmt`).

use sha2::Digest as _;
use weir_template::Template;
use weir_template::flux::{Change, CommitData, ImageRef, ObjectId};

const FILE: &str = "clusters/my-cluster/podinfo-deployment.yaml";
const OLD: &str = "ghcr.io/stefanprodan/podinfo:5.0.0";
const NEW: &str = "ghcr.io/stefanprodan/podinfo:5.0.3";

fn podinfo() -> ObjectId {
    ObjectId::new("apps/v1", "Deployment", "default", "podinfo")
}

/// One full-image setter changed podinfo from 5.0.0 to 5.0.3, as in the image-update guide.
fn one_update() -> CommitData {
    let mut d = CommitData::new("flux-system", "flux-system");
    d.add_change(
        FILE,
        &podinfo(),
        Change::new(OLD, NEW, "flux-system:podinfo"),
    );
    d.add_image(
        FILE,
        &podinfo(),
        ImageRef::parse(NEW).with_policy("flux-system", "podinfo"),
    );
    d
}

fn render(src: &str, data: &CommitData) -> String {
    let t = Template::parse("commit message", src).unwrap_or_else(|e| panic!("{e}"));
    t.render(&data.to_value()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn seed_template_prints_one_image_per_line() {
    // The seed's (and `flux create image update`'s documented) template.
    let src = "{{range .Updated.Images}}{{println .}}{{end}}";
    assert_eq!(render(src, &one_update()), format!("{NEW}\n"));

    // The seed: only `:name`/`:tag` markers, one new `name:tag` per image.
    let mut d = CommitData::new("flux-system", "flux-system");
    let fe = ObjectId::new("", "", "", "");
    d.add_image(
        "overlays/development/kustomization.yaml",
        &fe,
        ImageRef::parse("weaveworksdemos/front-end:main-5e4ba3a-10"),
    );
    d.add_image(
        "overlays/development/kustomization.yaml",
        &fe,
        ImageRef::parse("weaveworksdemos/front-end:main-5e4ba3a-10"),
    );
    d.add_image(
        "b.yaml",
        &podinfo(),
        ImageRef::parse("weaveworksdemos/catalogue:0.3.5"),
    );
    assert_eq!(
        render(src, &d),
        "weaveworksdemos/catalogue:0.3.5\nweaveworksdemos/front-end:main-5e4ba3a-10\n"
    );
    // No changes: empty message.
    assert_eq!(render(src, &CommitData::new("ns", "n")), "");
}

#[test]
fn gitea_and_guide_one_liners() {
    // Gitea section of the v1 API docs and many guides.
    let src = "{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}";
    assert_eq!(render(src, &one_update()), format!("{OLD} -> {NEW}\n"));
    let src = "{{range .Changed.Changes}}{{println .OldValue \"->\" .NewValue}}{{end}}";
    assert_eq!(render(src, &one_update()), format!("{OLD} -> {NEW}\n"));
}

#[test]
fn v1_docs_example_with_changed_data() {
    let src = "Automated image update

Automation name: {{ .AutomationObject }}

Files:
{{ range $filename, $_ := .Changed.FileChanges -}}
- {{ $filename }}
{{ end -}}

Objects:
{{ range $resource, $changes := .Changed.Objects -}}
- {{ $resource.Kind }} {{ $resource.Name }}
  Changes:
{{- range $_, $change := $changes }}
    - {{ $change.OldValue }} -> {{ $change.NewValue }}
{{ end -}}
{{ end -}}
";
    let want = format!(
        "Automated image update\n\nAutomation name: flux-system/flux-system\n\nFiles:\n- {FILE}\n\
         Objects:\n- Deployment podinfo\n  Changes:\n    - {OLD} -> {NEW}\n"
    );
    assert_eq!(render(src, &one_update()), want);
}

#[test]
fn v1_docs_example_with_functions() {
    let src = "Automated image update

Automation name: {{ .AutomationObject }}

Files:
{{ range $filename, $_ := .Changed.FileChanges -}}
- {{ $filename }}
{{ end -}}

Objects:
{{ range $resource, $changes := .Changed.Objects -}}
- {{ $resource.Kind | lower }} {{ $resource.Name | lower }}
  Changes:
{{- range $_, $change := $changes }}
  {{ if contains \"5.0.3\" $change.NewValue -}}
    - {{ $change.OldValue }} -> {{ $change.NewValue }}
  {{ else -}}
    [skip ci] wrong image
  {{ end -}}
{{ end -}}
{{ end -}}
";
    let want = format!(
        "Automated image update\n\nAutomation name: flux-system/flux-system\n\nFiles:\n- {FILE}\n\
         Objects:\n- deployment podinfo\n  Changes:\n  - {OLD} -> {NEW}\n  "
    );
    assert_eq!(render(src, &one_update()), want);

    let mut other = CommitData::new("flux-system", "flux-system");
    other.add_change(
        FILE,
        &podinfo(),
        Change::new(OLD, "ghcr.io/stefanprodan/podinfo:6.0.0", "s"),
    );
    assert!(render(src, &other).ends_with("  Changes:\n  [skip ci] wrong image\n  "));
}

#[test]
fn gerrit_change_id() {
    let src = "Perform automatic image update

Automation name: {{ .AutomationObject }}

{{- $ChangeId := .AutomationObject -}}
{{- $ChangeId = printf \"%s%s\" $ChangeId ( .Changed.FileChanges | toString ) -}}
{{- $ChangeId = printf \"%s%s\" $ChangeId ( .Changed.Objects | toString ) -}}
{{- $ChangeId = printf \"%s%s\" $ChangeId ( .Changed.Changes | toString ) }}
Change-Id: {{ printf \"I%s\" ( sha256sum $ChangeId | trunc 40 ) }}
";
    // Go prints ObjectIdentifier{ResourceIdentifier{TypeMeta, NameMeta}} as three nested
    // structs and maps in sorted key order.
    let object = "{{{apps/v1 Deployment} {podinfo default}}}";
    let change = format!("{{{OLD} {NEW} flux-system:podinfo}}");
    let id = format!(
        "flux-system/flux-system\
         map[{FILE}:map[{object}:[{change}]]]\
         map[{object}:[{change}]]\
         [{change}]"
    );
    let hash = hex::encode(sha2::Sha256::digest(id.as_bytes()));
    let want = format!(
        "Perform automatic image update\n\nAutomation name: flux-system/flux-system\nChange-Id: I{}\n",
        &hash[..40]
    );
    assert_eq!(render(src, &one_update()), want);
}

#[test]
fn legacy_updated_example() {
    // The controller's v0.7.0 changelog and the image-update guide.
    let src = "Automated image update

Automation name: {{ .AutomationObject }}

Files:
{{ range $filename, $_ := .Updated.Files -}}
- {{ $filename }}
{{ end -}}

Objects:
{{ range $resource, $_ := .Updated.Objects -}}
- {{ $resource.Kind }} {{ $resource.Name }}
{{ end -}}

Images:
{{ range .Updated.Images -}}
- {{.}}
{{ end -}}
";
    let want = format!(
        "Automated image update\n\nAutomation name: flux-system/flux-system\n\nFiles:\n- {FILE}\n\
         Objects:\n- Deployment podinfo\nImages:\n- {NEW}\n"
    );
    assert_eq!(render(src, &one_update()), want);
}

#[test]
fn values_and_automation_object() {
    let mut d = one_update();
    d.set_value("cluster", "prod");
    assert_eq!(
        render(
            "Automated image update by Flux for cluster {{ .Values.cluster }}.",
            &d
        ),
        "Automated image update by Flux for cluster prod."
    );
    assert_eq!(
        render("{{ .Values.nope }}|{{ index .Values \"nope\" }}|", &d),
        "<no value>||"
    );
    assert_eq!(
        render(
            "{{ .AutomationObject.Namespace }}/{{ .AutomationObject.Name }}",
            &d
        ),
        "flux-system/flux-system"
    );
    assert_eq!(
        render(
            "{{ range $k, $v := .Values }}{{ $k }}={{ $v }}{{ end }}",
            &d
        ),
        "cluster=prod"
    );
}

#[test]
fn image_ref_methods() {
    let src = "{{range .Updated.Images}}{{.Registry}} {{.Repository}} {{.Identifier}} {{.Name}} {{.Policy}} {{.String}}{{end}}";
    assert_eq!(
        render(src, &one_update()),
        format!("ghcr.io stefanprodan/podinfo 5.0.3 {NEW} flux-system/podinfo {NEW}")
    );
}

#[test]
fn several_files_objects_and_setters() {
    let mut d = CommitData::new("apps", "auto");
    let a = ObjectId::new("apps/v1", "Deployment", "apps", "web");
    let b = ObjectId::new("helm.toolkit.fluxcd.io/v2", "HelmRelease", "apps", "api");
    let tag = Change::new("1.0", "1.1", "apps:web:tag");
    d.add_change("z/web.yaml", &a, tag.clone());
    d.add_change("a/api.yaml", &b, Change::new("2.0", "2.1", "apps:api:tag"));
    d.add_change(
        "a/api.yaml",
        &b,
        Change::new("ghcr.io/x", "ghcr.io/y", "apps:api:name"),
    );
    d.add_change("a/copy.yaml", &a, tag);
    let src = "{{range $f, $objs := .Changed.FileChanges}}{{$f}}:{{range $o, $cs := $objs}} {{$o.Kind}}/{{$o.Name}}({{len $cs}}){{end}}\n{{end}}\
               {{range .Changed.Changes}}{{.Setter}} {{.OldValue}}->{{.NewValue}}\n{{end}}\
               {{len .Changed.Objects}}";
    assert_eq!(
        render(src, &d),
        "a/api.yaml: HelmRelease/api(2)\na/copy.yaml: Deployment/web(1)\nz/web.yaml: Deployment/web(1)\n\
         apps:api:tag 2.0->2.1\napps:api:name ghcr.io/x->ghcr.io/y\napps:web:tag 1.0->1.1\n2"
    );
}

#[test]
fn missing_struct_field_is_an_error_missing_key_is_not() {
    let t = Template::parse("commit message", "{{ .Changed.Nope }}").unwrap();
    let err = t.render(&one_update().to_value()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: commit message:1:4: executing \"commit message\" at <.Changed.Nope>: \
         can't evaluate field Nope in type update.Result"
    );
    let t = Template::parse("commit message", "{{ .Values.Nope }}").unwrap();
    assert_eq!(t.render(&one_update().to_value()).unwrap(), "<no value>");
}

#[test]
fn templates_using_removed_updated_data_are_detectable() {
    let t = Template::parse("m", "{{range .Updated.Images}}{{.}}{{end}}").unwrap();
    assert!(t.uses_field("Updated"));
    let t = Template::parse("m", "{{ $u := . }}{{ with $u.Updated }}{{ end }}").unwrap();
    assert!(t.uses_field("Updated"));
    let t = Template::parse("m", "{{range .Changed.Changes}}{{.}}{{end}}").unwrap();
    assert!(!t.uses_field("Updated"));
}
