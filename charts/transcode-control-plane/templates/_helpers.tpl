{{- /* Names, labels and the pieces every component's objects share. */}}

{{- define "tcp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tcp.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- /* <fullname>-<component>: the name of a component's Deployment, ConfigMap, Service, Role, ... ("ctx", "c"). */}}
{{- define "tcp.componentName" -}}
{{- printf "%s-%s" (include "tcp.fullname" .ctx | trunc (int (sub 62 (len .c.name)))) .c.name | trimSuffix "-" }}
{{- end }}

{{- /* Labels of every object besides name, instance and component. */}}
{{- define "tcp.metaLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ .Chart.Name }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- /* The labels of an object of no component (the CRD's name and component labels are its own). */}}
{{- define "tcp.releaseLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
{{ include "tcp.metaLabels" . }}
{{- end }}

{{- define "tcp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tcp.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .c.name }}
{{- end }}

{{- define "tcp.labels" -}}
{{ include "tcp.selectorLabels" . }}
{{ include "tcp.metaLabels" .ctx }}
{{- end }}

{{- /* Every component as data (_generated.tpl), with its values: a list of dicts {c, v}. Disabled ones are left out. */}}
{{- define "tcp.enabledComponents" -}}
{{- $out := list }}
{{- range $c := include "tcp.components" . | fromJsonArray }}
{{- $v := index $.Values $c.key }}
{{- if or (not (hasKey $v "enabled")) $v.enabled }}
{{- $out = append $out (dict "c" $c "v" $v) }}
{{- end }}
{{- end }}
{{- toJson $out }}
{{- end }}

{{- define "tcp.jobsNamespace" -}}
{{- default .Release.Namespace .Values.jobsNamespace }}
{{- end }}

{{- define "tcp.serviceAccountName" -}}
{{- default (include "tcp.componentName" .) .v.serviceAccount.name }}
{{- end }}

{{- define "tcp.image" -}}
{{- $i := mergeOverwrite (deepCopy .ctx.Values.image) .v.image }}
{{- if $i.digest }}
{{- printf "%s@%s" $i.repository $i.digest }}
{{- else }}
{{- printf "%s:%s" $i.repository (default .ctx.Chart.AppVersion $i.tag) }}
{{- end }}
{{- end }}

{{- /* An environment value as a string: Helm reads YAML numbers as float64, which would print 6.8719476736e+10. */}}
{{- define "tcp.envString" -}}
{{- if kindIs "float64" . }}{{ int64 . }}{{ else }}{{ toString . }}{{ end }}
{{- end }}

{{- /*
The ConfigMap data of a component ("ctx", "c", "v"): the top-level env filtered to the settings it reads, its own env
over that, then what the chart sets itself (scripts/chart/components.ts CHART_MANAGED).
*/}}
{{- define "tcp.configData" -}}
{{- $ctx := .ctx }}
{{- $data := dict }}
{{- range $k, $val := $ctx.Values.env }}
{{- if has $k $.c.reads }}{{ $_ := set $data $k (include "tcp.envString" $val) }}{{ end }}
{{- end }}
{{- range $k, $val := .v.env }}{{ $_ := set $data $k (include "tcp.envString" $val) }}{{ end }}
{{- $_ := set $data "HTTP_PORT" (toString .v.containerPort) }}
{{- if .c.internalPort }}{{ $_ := set $data "INTERNAL_HTTP_PORT" (toString .v.internalPort) }}{{ end }}
{{- if has "JOBS_NAMESPACE" .c.reads }}{{ $_ := set $data "JOBS_NAMESPACE" (include "tcp.jobsNamespace" $ctx) }}{{ end }}
{{- if eq .c.key "operator" }}
{{- $_ := set $data "LAUNCHER" "ecs" }}
{{- $_ := set $data "WATCH_ALL_NAMESPACES" (toString .v.watchAllNamespaces) }}
{{- $_ := set $data "LEADER_ELECTION" (toString .v.leaderElection) }}
{{- $_ := set $data "LEASE_NAMESPACE" $ctx.Release.Namespace }}
{{- $_ := set $data "LEASE_NAME" (include "tcp.componentName" .) }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{- /* Required settings of a component that neither the ConfigMap nor a secret reference supplies (for NOTES.txt). */}}
{{- define "tcp.missingSettings" -}}
{{- $data := include "tcp.configData" . | fromYaml }}
{{- $missing := list }}
{{- range $name := .c.required }}
{{- if not (or (hasKey $data $name) $.v.existingSecret (hasKey $.v.secretEnv $name)) }}
{{- $missing = append $missing $name }}
{{- end }}
{{- end }}
{{- join ", " $missing }}
{{- end }}
