// Conventions shared by sources and answers: labels and aliases one side
// writes and the other reads, so neither imports the other.

package graph

import "strings"

// unknownTagPrefix starts the labels of UnknownTagLabel.
const unknownTagPrefix = "unknown-"

// UnknownTagLabel is the label a cloud source puts on a resource for a tag
// (tagKey, as the resource spells it) that names a role — team,
// application, service, repository — under the configured tag rules. Its
// value is what the tag names that the estate does not know, several
// values separated by ", ", or "" when every value resolved. The source
// that applies the rules is the one that decides, so the shadow report
// (which reads these labels) and the links it made cannot disagree.
func UnknownTagLabel(role, tagKey string) string { return unknownTagPrefix + role + "/" + tagKey }

// ParseUnknownTagLabel splits a label made by UnknownTagLabel.
func ParseUnknownTagLabel(label string) (role, tagKey string, ok bool) {
	rest, ok := strings.CutPrefix(label, unknownTagPrefix)
	if !ok {
		return "", "", false
	}
	role, tagKey, ok = strings.Cut(rest, "/")
	if !ok || role == "" || tagKey == "" {
		return "", "", false
	}
	return role, tagKey, true
}

// ListLabelValues splits the value of a label that lists several values,
// separated by ",": an UnknownTagLabel's, a DistinctLabel's.
func ListLabelValues(v string) []string {
	var out []string
	for p := range strings.SplitSeq(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// TerraformStateAlias is the alias of a Repository whose Terraform code
// keeps its state at location (s3://bucket/key, as its backend block says):
// how a Terraform state source, reading that state, finds the repository
// that DEFINES its resources without being told.
func TerraformStateAlias(location string) string { return "terraform-state:" + location }

// AcceptedFindingLabel is the label on an entity that records a person's
// decision to accept one shadow-estate finding about it: the finding's kind
// and, for a tag finding, the tag and its value. The analysis package
// writes and reads its value; it is written with Store.Annotate, so it
// keeps no entity alive and no source's sync overwrites or sweeps it.
func AcceptedFindingLabel(finding, tag, value string) string {
	if tag == "" && value == "" {
		return acceptedFindingPrefix + finding
	}
	return acceptedFindingPrefix + finding + "/" + tag + "=" + value
}

const acceptedFindingPrefix = "shadow-accepted/"
