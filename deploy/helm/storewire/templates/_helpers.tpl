{{/* Names and labels shared by every template. */}}

{{- define "storewire.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "storewire.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* storewire.component: "<fullname>-<service>"; call with (dict "root" $ "name" "ingress"). */}}
{{- define "storewire.component" -}}
{{- printf "%s-%s" (include "storewire.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "storewire.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "storewire.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one service; call with (dict "root" $ "name" "ingress"). */}}
{{- define "storewire.selectorLabels" -}}
app.kubernetes.io/name: {{ include "storewire.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "storewire.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "storewire.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "storewire.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The storewire config file: values.config plus the kafka: block and each
     enabled service's ports. */}}
{{- define "storewire.config" -}}
{{- $config := deepCopy .Values.config -}}
{{- $_ := set $config "kafka" (dict
      "brokers" .Values.kafka.brokers
      "topic_prefix" .Values.kafka.topicPrefix
      "partitions" .Values.kafka.partitions
      "replication_factor" .Values.kafka.replicationFactor
      "properties" .Values.kafka.properties) -}}
{{- range $name, $svc := .Values.services -}}
{{- $section := default (dict) (get $config $name) -}}
{{- if $svc.ports.http }}{{ $_ := set $section "http_port" $svc.ports.http }}{{ end -}}
{{- $_ := set $section "admin_port" $svc.ports.admin -}}
{{- $_ := set $section "control_port" $svc.ports.control -}}
{{- $_ := set $config $name $section -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

{{/* Raw topic names, one per store. */}}
{{- define "storewire.rawTopics" -}}
{{- $prefix := .Values.kafka.topicPrefix -}}
{{- range $store := list "apple" "google" "huawei" "amazon" }}
- {{ printf "%s.raw.%s" $prefix $store }}
{{- end -}}
{{- end -}}
