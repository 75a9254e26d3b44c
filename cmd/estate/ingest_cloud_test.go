package main

import (
	"crypto/rand"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/ingest/aws/mototest"
)

func TestIngestTerraformCommand(t *testing.T) {
	dir := t.TempDir()
	state := "../../ingest/terraform/testdata/1308harshit__pearlThought-all-tasks-strapi__terraform5__terraform.tfstate.backup"
	out, stderr, code := cli(t, "", "ingest", "terraform", "--data-dir", dir, "--terraform-repository", "github.com/acme/strapi", state)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Source, Status string
		Nodes          int
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Status != "succeeded" || rep.Source != "terraform:github.com/acme/strapi" {
		t.Fatalf("report %+v (%v): %s", rep, err, out)
	}
	exp, _, _ := cli(t, "", "export", "--data-dir", dir)
	if n := strings.Count(exp, `"type":"DEFINES"`); n != 17 {
		t.Errorf("%d DEFINES in the export, want 17", n)
	}
	if _, stderr, code := cli(t, "", "ingest", "terraform", "--data-dir", dir, dir+"/missing.tfstate"); code == exitOK || !strings.Contains(stderr, "missing.tfstate") {
		t.Errorf("missing file: exit %d, %q", code, stderr)
	}
}

func TestIngestAWSCommand(t *testing.T) {
	if _, stderr, code := cli(t, "", "ingest", "aws", "--data-dir", t.TempDir(), "--aws-region", "eu west 1"); code != exitUsage || !strings.Contains(stderr, "eu west 1") {
		t.Errorf("bad region: exit %d, %q", code, stderr)
	}
	mototest.Endpoint(t)
	// The default credential chain, from the environment; moto takes any key.
	mototest.Credentials(t, "testing", "testing")
	dir := t.TempDir()
	// --aws-endpoint comes from ESTATE_AWS_ENDPOINT, as scripts/moto.sh prints it.
	out, stderr, code := cli(t, "", "ingest", "aws", "--data-dir", dir, "--aws-region", "us-east-1",
		"--aws-registered", "123456789012", "--aws-services", "sqs,sns")
	if code != exitOK || !strings.Contains(out, `"status": "succeeded"`) {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	exp, _, _ := cli(t, "", "export", "--data-dir", dir)
	if !strings.Contains(exp, `"key":"aws:123456789012"`) || !strings.Contains(exp, `"registered":true`) {
		t.Errorf("export has no registered account aws:123456789012:\n%s", exp)
	}
}

func TestIngestGCPAndAzureCommands(t *testing.T) {
	dir := t.TempDir()
	out, stderr, code := cli(t, "", "ingest", "gcp", "--data-dir", dir, "--gcp-registered", "project1",
		"../../ingest/gcp/testdata/forseti__mock_cai_resources.dump.jsonl")
	if code != exitOK || !strings.Contains(out, `"source": "gcp:default"`) {
		t.Fatalf("gcp: exit %d: %s\n%s", code, stderr, out)
	}
	if _, stderr, code := cli(t, "", "ingest", "gcp", "--data-dir", dir); code != exitUsage || !strings.Contains(stderr, "no Cloud Asset Inventory export or search scope") {
		t.Errorf("gcp with nothing to read: exit %d, %q", code, stderr)
	}
	if _, stderr, code := cli(t, "", "ingest", "gcp", "--data-dir", dir, "--gcp-scope", "project1"); code != exitUsage || !strings.Contains(stderr, `"project1"`) {
		t.Errorf("gcp with a bad scope: exit %d, %q", code, stderr)
	}
	// Without AZURE_ACCESS_TOKEN the default credential chain is asked;
	// here it has nothing (only the Azure CLI, not installed), and says so.
	t.Setenv("AZURE_ACCESS_TOKEN", "")
	t.Setenv("AZURE_TOKEN_CREDENTIALS", "AzureCLICredential")
	t.Setenv("PATH", t.TempDir())
	_, stderr, code = cli(t, "", "ingest", "azure", "--data-dir", dir, "--azure-endpoint", "https://127.0.0.1:1")
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if last := lines[len(lines)-1]; code == exitOK || !strings.Contains(last, "DefaultAzureCredential") || !strings.Contains(last, "AzureCLICredential") {
		t.Errorf("azure without a credential: exit %d, %q; want a last line naming the credentials tried", code, stderr)
	}
	if _, stderr, code := cli(t, "", "ingest", "azure", "--data-dir", dir, "--azure-endpoint", "http://management.azure.com"); code != exitUsage || !strings.Contains(stderr, "https") {
		t.Errorf("plain-http endpoint: exit %d, %q", code, stderr)
	}
}

func TestTagRulesFile(t *testing.T) {
	state := "../../ingest/terraform/testdata/0lehKondratov__AWS-TR-SR-Loki-Grafana__terraform.tfstate"
	dir := t.TempDir()
	write := func(name, body string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, rules string
		code        int
		msg         string
	}{
		{"known keys", "team: [OwnerEmail]\nstripPrefixes: [\"team-\"]\n", exitOK, ""},
		{"empty file: the defaults", "", exitOK, ""},
		{"misspelt key", "teams: [Team]\n", exitUsage, "teams"},
		{"not YAML", "team: [Team\n", exitUsage, "rules.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules := write("rules.yaml", tt.rules)
			_, stderr, code := cli(t, "", "ingest", "terraform", "--data-dir", t.TempDir(), "--tag-rules", rules, state)
			if code != tt.code || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, tt.code, tt.msg)
			}
		})
	}
}

func TestIngestTerraformFromS3Command(t *testing.T) {
	if _, stderr, code := cli(t, "", "ingest", "terraform", "--data-dir", t.TempDir(), "s3://"); code != exitUsage || !strings.Contains(stderr, "not an S3 location") {
		t.Errorf("bad location: exit %d, %q", code, stderr)
	}
	mototest.Endpoint(t)
	mototest.Credentials(t, "testing", "testing")
	// --aws-endpoint comes from ESTATE_AWS_ENDPOINT; the bucket does not exist.
	bucket := "estate-cli-missing-" + strings.ToLower(rand.Text()[:10])
	_, stderr, code := cli(t, "", "ingest", "terraform", "--data-dir", t.TempDir(), "s3://"+bucket+"/terraform.tfstate")
	if code == exitOK || !strings.Contains(stderr, `bucket "`+bucket+`" does not exist`) {
		t.Errorf("missing bucket: exit %d, %q", code, stderr)
	}
}
