package analysis

import "strings"

// Backstage entity refs. Organisations on Backstage name things by entity
// ref (component:default/payments-api) or link to the catalog page
// (https://backstage.acme.example/catalog/default/component/payments-api).
// The descriptors source aliases what catalog-info.yaml declares as
// kind:name, leaving out the default namespace (kind:namespace/name
// otherwise), so both forms come down to that alias.

// backstageKinds are the kinds of Backstage's catalog model.
var backstageKinds = map[string]bool{
	"component": true, "system": true, "domain": true, "group": true, "user": true, "resource": true, "api": true,
}

// backstageAlias returns the alias a Backstage entity ref with a namespace,
// or a catalog page URL, comes down to; "" for anything else, and for a
// ref that is that alias already (Resolve looked it up first).
func backstageAlias(ref string) string {
	low := strings.ToLower(strings.TrimSpace(ref))
	var kind, ns, name string
	if scheme, rest, ok := strings.Cut(low, "://"); ok && scheme != "" {
		_, page, ok := strings.Cut(rest, "/catalog/")
		if !ok {
			return ""
		}
		page, _, _ = strings.Cut(page, "?")
		page, _, _ = strings.Cut(page, "#")
		parts := strings.Split(page, "/")
		if len(parts) < 3 {
			return ""
		}
		ns, kind, name = parts[0], parts[1], parts[2] // then a tab: /dependencies
	} else {
		var rest string
		var ok bool
		if kind, rest, ok = strings.Cut(low, ":"); !ok {
			return ""
		}
		if ns, name, ok = strings.Cut(rest, "/"); !ok {
			return ""
		}
	}
	if !backstageKinds[kind] || name == "" || strings.ContainsAny(name, "/: ") {
		return ""
	}
	alias := kind + ":" + name
	if ns != "default" && ns != "" {
		alias = kind + ":" + ns + "/" + name
	}
	if alias == low {
		return ""
	}
	return alias
}
