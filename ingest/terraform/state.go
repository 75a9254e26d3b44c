package terraform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// State is what estate reads of a Terraform state file (format version 4).
type State struct {
	Version          int    `json:"version"`
	TerraformVersion string `json:"terraform_version"`
	Serial           int64  `json:"serial"`
	Lineage          string `json:"lineage"`
	// Instances are the managed resource instances, in file order.
	Instances []Instance `json:"-"`
}

// Instance is one managed resource instance.
type Instance struct {
	// Address is Terraform's address: module.vpc.aws_subnet.private[0].
	Address string
	Type    string // aws_subnet
	// Provider is the provider's type name: aws, azurerm, google, …
	Provider string
	// ProviderConfig is the provider configuration that manages it, as the
	// state names it: provider["registry.terraform.io/hashicorp/aws"].west.
	// One configuration talks to one account.
	ProviderConfig string
	ID             string
	ARN            string
	Name           string
	Region         string
	// Tags merges tags_all (provider default tags) and tags (AWS, Azure)
	// or labels (Google).
	Tags map[string]string
	// Hostnames are the DNS names the resource answers on (hostAttrs), as
	// the service desk meets them in errors and connection strings.
	Hostnames []string
	// Addresses are its IP addresses (addressAttrs).
	Addresses []string
	Tainted   bool
}

// addressAttrs are, by resource type, the attributes that hold an IP
// address of the resource's own.
var addressAttrs = map[string][]string{
	"aws_instance": {"public_ip", "private_ip"},
	"aws_eip":      {"public_ip"},
}

// hostAttrs are, by resource type, the attributes that hold a host name
// (or a URL of one) the resource answers on.
var hostAttrs = map[string][]string{
	"aws_instance":            {"public_dns", "private_dns"},
	"aws_eip":                 {"public_dns"},
	"aws_db_instance":         {"address"},
	"aws_rds_cluster":         {"endpoint", "reader_endpoint"},
	"aws_lb":                  {"dns_name"},
	"aws_alb":                 {"dns_name"},
	"aws_elb":                 {"dns_name"},
	"aws_s3_bucket":           {"bucket_regional_domain_name"},
	"aws_eks_cluster":         {"endpoint"},
	"azurerm_linux_web_app":   {"default_hostname"},
	"azurerm_windows_web_app": {"default_hostname"},
	"azurerm_app_service":     {"default_site_hostname"},
}

// rawState is the wire shape. Attributes stay raw: only a few known keys
// are ever read, so secrets elsewhere in a state are never copied.
type rawState struct {
	Version          *int   `json:"version"`
	TerraformVersion string `json:"terraform_version"`
	Serial           int64  `json:"serial"`
	Lineage          string `json:"lineage"`
	Resources        *[]struct {
		Module    string `json:"module"`
		Mode      string `json:"mode"`
		Type      string `json:"type"`
		Name      string `json:"name"`
		Provider  string `json:"provider"`
		Instances []struct {
			IndexKey   json.RawMessage `json:"index_key"`
			Status     string          `json:"status"`
			Attributes attributes      `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// attributes are the only attributes read; the decoder skips the rest
// without keeping them.
type attributes struct {
	ID       json.RawMessage `json:"id"`
	ARN      json.RawMessage `json:"arn"`
	Name     json.RawMessage `json:"name"`
	Region   json.RawMessage `json:"region"`
	Location json.RawMessage `json:"location"`
	Tags     json.RawMessage `json:"tags"`
	TagsAll  json.RawMessage `json:"tags_all"`
	Labels   json.RawMessage `json:"labels"`
	// The attributes hostAttrs names.
	PublicDNS           json.RawMessage `json:"public_dns"`
	PrivateDNS          json.RawMessage `json:"private_dns"`
	Address             json.RawMessage `json:"address"`
	Endpoint            json.RawMessage `json:"endpoint"`
	ReaderEndpoint      json.RawMessage `json:"reader_endpoint"`
	DNSName             json.RawMessage `json:"dns_name"`
	BucketRegionalName  json.RawMessage `json:"bucket_regional_domain_name"`
	DefaultHostname     json.RawMessage `json:"default_hostname"`
	DefaultSiteHostname json.RawMessage `json:"default_site_hostname"`
	// The attributes addressAttrs names.
	PublicIP  json.RawMessage `json:"public_ip"`
	PrivateIP json.RawMessage `json:"private_ip"`
}

// addresses returns the IP addresses of a resource of type typ: those of
// its addressAttrs that hold one, sorted.
func (a *attributes) addresses(typ string) []string {
	var out []string
	for _, attr := range addressAttrs[typ] {
		if ip, err := netip.ParseAddr(str(a.named(attr))); err == nil {
			out = append(out, ip.String())
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// named returns the attribute hostAttrs or addressAttrs calls name.
func (a *attributes) named(name string) json.RawMessage {
	switch name {
	case "public_dns":
		return a.PublicDNS
	case "private_dns":
		return a.PrivateDNS
	case "address":
		return a.Address
	case "endpoint":
		return a.Endpoint
	case "reader_endpoint":
		return a.ReaderEndpoint
	case "dns_name":
		return a.DNSName
	case "bucket_regional_domain_name":
		return a.BucketRegionalName
	case "default_hostname":
		return a.DefaultHostname
	case "default_site_hostname":
		return a.DefaultSiteHostname
	case "public_ip":
		return a.PublicIP
	case "private_ip":
		return a.PrivateIP
	}
	return nil
}

// hostnames returns the host names of a resource of type typ: those of
// its hostAttrs that hold one, without a scheme, port or path, lower-cased,
// sorted and once each.
func (a *attributes) hostnames(typ string) []string {
	var out []string
	for _, attr := range hostAttrs[typ] {
		h := str(a.named(attr))
		if _, rest, ok := strings.Cut(h, "://"); ok {
			h = rest
		}
		h, _, _ = strings.Cut(h, "/")
		h, _, _ = strings.Cut(h, ":")
		if h = strings.ToLower(strings.TrimSpace(h)); strings.Contains(h, ".") && !strings.ContainsAny(h, " \t@") {
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// MaxStateSize is the default largest state file ParseState accepts.
const MaxStateSize = 256 << 20

// ErrNotState is returned for input that is not a Terraform state v4.
var ErrNotState = errors.New("not a Terraform state (format version 4)")

// ParseState parses a state file's bytes.
func ParseState(data []byte) (*State, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: empty file", ErrNotState)
	}
	var raw rawState
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotState, err)
	}
	switch {
	case raw.Version == nil:
		return nil, fmt.Errorf("%w: no \"version\" field", ErrNotState)
	case *raw.Version != 4:
		return nil, fmt.Errorf("%w: state format version %d (estate reads version 4, Terraform 0.12 and later)", ErrNotState, *raw.Version)
	case raw.Resources == nil:
		return nil, fmt.Errorf("%w: no \"resources\" list", ErrNotState)
	}
	st := &State{Version: 4, TerraformVersion: raw.TerraformVersion, Serial: raw.Serial, Lineage: raw.Lineage}
	for _, r := range *raw.Resources {
		if r.Mode != "managed" {
			continue // data sources read, they do not manage
		}
		if r.Type == "" || r.Name == "" {
			return nil, fmt.Errorf("%w: a managed resource without type or name", ErrNotState)
		}
		base := r.Type + "." + r.Name
		if r.Module != "" {
			base = r.Module + "." + base
		}
		for _, in := range r.Instances {
			addr := base
			if k := indexSuffix(in.IndexKey); k != "" {
				addr += k
			}
			attrs := in.Attributes
			i := Instance{
				Address: addr, Type: r.Type, Provider: providerName(r.Provider, r.Type), ProviderConfig: r.Provider,
				ID: str(attrs.ID), ARN: str(attrs.ARN), Name: str(attrs.Name),
				Region: str(attrs.Region), Tainted: in.Status == "tainted",
			}
			if i.Region == "" {
				i.Region = str(attrs.Location) // azurerm
			}
			tags := map[string]string{}
			for _, raw := range []json.RawMessage{attrs.TagsAll, attrs.Tags, attrs.Labels} {
				for k, v := range strMap(raw) {
					tags[k] = v
				}
			}
			if len(tags) > 0 {
				i.Tags = tags
			}
			i.Hostnames, i.Addresses = attrs.hostnames(r.Type), attrs.addresses(r.Type)
			st.Instances = append(st.Instances, i)
		}
	}
	return st, nil
}

// indexSuffix renders an index_key: [0] or ["name"].
func indexSuffix(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return "[" + strconv.Quote(s) + "]"
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return "[" + n.String() + "]"
	}
	return ""
}

// providerName turns provider["registry.terraform.io/hashicorp/aws"].alias
// into "aws"; without a provider it guesses from the type's prefix.
func providerName(p, typ string) string {
	if i := strings.Index(p, `provider["`); i >= 0 {
		rest := p[i+len(`provider["`):]
		if j := strings.Index(rest, `"]`); j >= 0 {
			src := rest[:j]
			return src[strings.LastIndex(src, "/")+1:]
		}
	}
	if i := strings.Index(typ, "_"); i > 0 {
		return typ[:i]
	}
	return typ
}

// str reads a string attribute; a number (some providers' ids) reads as
// its digits.
func str(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 {
		return ""
	}
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func strMap(raw json.RawMessage) map[string]string {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}
