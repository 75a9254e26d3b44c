package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/estate-cmdb/estate/server/auth"
)

func (a *app) tokenCommand() *cobra.Command {
	var dataDir string
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke API tokens",
		Long: `API tokens authenticate GraphQL requests (Authorization: Bearer TOKEN).
Roles: viewer (read), editor (read and change the estate), admin (also manage
tokens). Only a hash of each token is stored, in DATA_DIR/tokens.json; the
token itself is printed once, at creation.`,
	}
	cmd.PersistentFlags().StringVar(&dataDir, "data-dir", defaultDataDir(), "directory holding tokens.json")
	open := func() (*auth.Store, error) { return auth.Open(filepath.Join(dataDir, "tokens.json")) }

	var role, name string
	var member auth.Membership
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a token and print it (once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := auth.ParseRole(role)
			if err != nil {
				return usageError("--role: %v", err)
			}
			ts, err := open()
			if err != nil {
				return err
			}
			plain, tok, err := ts.CreateWith(r, name, member)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, plain)
			a.log.Info().Str("id", tok.ID).Str("role", string(tok.Role)).Str("name", tok.Name).Msg("token created")
			return nil
		},
	}
	create.Flags().StringVar(&role, "role", "viewer", "role: viewer, editor or admin")
	create.Flags().StringVar(&name, "name", "", "what the token is for (shown in listings)")
	create.Flags().StringArrayVar(&member.Teams, "team", nil, "team key whose NORMAL changes the token may approve or reject (repeat)")
	create.Flags().BoolVar(&member.CAB, "cab", false, "the token sits on the change advisory board: it may decide HIGH changes")

	list := &cobra.Command{
		Use:   "list",
		Short: "List tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ts, err := open()
			if err != nil {
				return err
			}
			toks, err := ts.List()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tROLE\tNAME\tCREATED\tCHANGES")
			for _, t := range toks {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, t.Name, t.CreatedAt.Format("2006-01-02 15:04"), membershipText(t.Membership))
			}
			return tw.Flush()
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ts, err := open()
			if err != nil {
				return err
			}
			tok, err := ts.Revoke(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "revoked %s (%s, %s)\n", tok.ID, tok.Role, tok.Name)
			return nil
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}

// membershipText says what changes a token may decide.
func membershipText(m auth.Membership) string {
	var parts []string
	if m.CAB {
		parts = append(parts, "CAB")
	}
	if len(m.Teams) > 0 {
		parts = append(parts, "teams "+strings.Join(m.Teams, ","))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}
