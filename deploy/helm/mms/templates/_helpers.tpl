{{/*
Names. Every per-instance object is named after the instance itself (mms-a, not
<release>-mms-a): the pod name <instance>-0 is the lease owner written to the NATS KV bucket
MMS_OWNERS, so it must not change when a release is renamed.
*/}}

{{- define "mms.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mms.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels shared by every object of the release. */}}
{{- define "mms.labels" -}}
helm.sh/chart: {{ include "mms.chart" . }}
app.kubernetes.io/name: {{ include "mms.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: market-maker
{{- end -}}

{{/* Selects the pods of the whole release (ServiceMonitor). */}}
{{- define "mms.releaseSelectorLabels" -}}
app.kubernetes.io/name: {{ include "mms.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selects the one pod of one instance. Call with (dict "root" $ "instance" $instance). */}}
{{- define "mms.instanceSelectorLabels" -}}
{{ include "mms.releaseSelectorLabels" .root }}
app.kubernetes.io/component: {{ .instance.name }}
{{- end -}}

{{- define "mms.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Where secrets and the config are mounted in the container. */}}
{{- define "mms.configDir" -}}/etc/mms{{- end -}}
{{- define "mms.natsAuthDir" -}}/var/run/secrets/mms/nats-auth{{- end -}}
{{- define "mms.natsTlsDir" -}}/var/run/secrets/mms/nats-tls{{- end -}}

{{/*
The service's config file for one instance (the contract's "Configuration file"), as YAML.
Call with (dict "root" $ "instance" $instance). No secrets here: NATS credentials reach the
process as env vars or mounted files, the instance name as MMS_INSTANCE_NAME.
*/}}
{{- define "mms.config" -}}
{{- $v := .root.Values -}}
{{- $nats := dict "servers" $v.nats.servers "name" .instance.name -}}
{{- if $v.nats.tls.enabled -}}
{{-   $tls := dict "caFile" (printf "%s/%s" (include "mms.natsTlsDir" .root) $v.nats.tls.caKey) -}}
{{-   if $v.nats.tls.certKey -}}
{{-     $_ := set $tls "certFile" (printf "%s/%s" (include "mms.natsTlsDir" .root) $v.nats.tls.certKey) -}}
{{-     $_ := set $tls "keyFile" (printf "%s/%s" (include "mms.natsTlsDir" .root) $v.nats.tls.keyKey) -}}
{{-   end -}}
{{-   $_ := set $nats "tls" $tls -}}
{{- end -}}
{{- $config := dict
      "account" $v.account
      "leaseMs" $v.leaseMs
      "shutdownTimeoutMs" $v.shutdownTimeoutMs
      "nats" $nats
      "http" (dict "port" $v.http.port)
      "logging" (dict "level" $v.logging.level)
      "risk" (default $v.risk .instance.risk)
      "symbols" .instance.symbols -}}
{{- toYaml $config -}}
{{- end -}}

{{/*
Checks the schema cannot express. Included by every template, so a bad release renders nothing.
*/}}
{{- define "mms.validate" -}}
{{- $owners := dict -}}
{{- $names := dict -}}
{{- range $i, $instance := .Values.instances -}}
{{-   if hasKey $names $instance.name -}}
{{-     fail (printf "instances[%d]: the instance name %q is used twice; every instance needs its own name" $i $instance.name) -}}
{{-   end -}}
{{-   $_ := set $names $instance.name true -}}
{{-   if and (eq $.Values.identity "podNameAndUid") (gt (len $instance.name) 24) -}}
{{-     fail (printf "instances[%d]: the name %q is longer than 24 characters, too long for identity podNameAndUid (<name>-0.<pod uid> must fit in 63)" $i $instance.name) -}}
{{-   end -}}
{{-   range $j, $symbol := $instance.symbols -}}
{{-     $owner := get $owners $symbol.symbol -}}
{{-     if eq $owner $instance.name -}}
{{-       fail (printf "instances[%d] (%s): symbol %s is listed twice" $i $instance.name $symbol.symbol) -}}
{{-     else if $owner -}}
{{-       fail (printf "symbol %s is given to two instances, %s and %s: each symbol must belong to exactly one instance, or both would quote it" $symbol.symbol $owner $instance.name) -}}
{{-     end -}}
{{-     $_ := set $owners $symbol.symbol $instance.name -}}
{{-   end -}}
{{- end -}}
{{- $shutdownSeconds := div (add (int .Values.shutdownTimeoutMs) 999) 1000 -}}
{{- $needed := add (int .Values.preStopSleepSeconds) $shutdownSeconds 5 -}}
{{- if lt (int .Values.terminationGracePeriodSeconds) (int $needed) -}}
{{-   fail (printf "terminationGracePeriodSeconds is %d but must be at least %d (preStopSleepSeconds %d + shutdownTimeoutMs %d rounded up to %d s + 5 s margin): otherwise Kubernetes kills the pod before it has cancelled every order" (int .Values.terminationGracePeriodSeconds) (int $needed) (int .Values.preStopSleepSeconds) (int .Values.shutdownTimeoutMs) $shutdownSeconds) -}}
{{- end -}}
{{- $auth := .Values.nats.auth -}}
{{- if and (ne $auth.type "none") (not $auth.existingSecret) -}}
{{-   fail (printf "nats.auth.existingSecret is required when nats.auth.type is %s: create the Secret first (see the chart README)" $auth.type) -}}
{{- end -}}
{{- if and .Values.nats.tls.enabled (not .Values.nats.tls.existingSecret) -}}
{{-   fail "nats.tls.existingSecret is required when nats.tls.enabled is true" -}}
{{- end -}}
{{- if and .Values.nats.tls.enabled (not (eq (empty .Values.nats.tls.certKey) (empty .Values.nats.tls.keyKey))) -}}
{{-   fail "nats.tls.certKey and nats.tls.keyKey go together: set both for mutual TLS, or neither" -}}
{{- end -}}
{{- end -}}

{{/* OTEL_RESOURCE_ATTRIBUTES of one instance. Call with (dict "root" $ "instance" $instance). */}}
{{- define "mms.otelResourceAttributes" -}}
{{- $attributes := list "service.instance.id=$(MMS_INSTANCE_NAME)" "k8s.pod.name=$(POD_NAME)" "k8s.namespace.name=$(POD_NAMESPACE)" (printf "mms.instance=%s" .instance.name) -}}
{{- range $key, $value := .root.Values.otel.resourceAttributes -}}
{{-   $attributes = append $attributes (printf "%s=%s" $key $value) -}}
{{- end -}}
{{- join "," $attributes -}}
{{- end -}}
