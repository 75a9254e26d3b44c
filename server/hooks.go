package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/rs/zerolog/hlog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/governance"
	"github.com/estate-cmdb/estate/server/auth"
	"github.com/estate-cmdb/estate/server/gql/resolver"
)

// Webhooks for CI/CD tools and incident systems: POST, JSON in and out,
// a bearer token with the editor role (anonymous reads never suffice).
// Errors are JSON {"errors": [{"message", "extensions": {"code"}}]} with a
// 4xx status naming the field; nothing is recorded on bad input.
//
//	POST /hooks/changes/assess  governance.AssessInput → governance.Change
//	POST /hooks/incidents       governance.IncidentInput → the incident,
//	                            whoToCall: the accountable owners of what it hit,
//	                            and suspectChanges: the first of the changes
//	                            deployed in the week before that touched it
func (s *Server) hooks(mux func(pattern, route string, h http.Handler)) {
	wrap := func(h http.HandlerFunc) http.Handler {
		var out http.Handler = h
		out = s.withTimeout(out)
		out = s.limitBody(out)
		return s.authenticate(out)
	}
	mux("POST /hooks/changes/assess", "/hooks/changes/assess", wrap(s.assessHook))
	mux("POST /hooks/incidents", "/hooks/incidents", wrap(s.incidentHook))
}

func (s *Server) assessHook(w http.ResponseWriter, r *http.Request) {
	var in governance.AssessInput
	if !s.hookInput(w, r, &in) {
		return
	}
	in.RequestedBy = resolver.Approver(r.Context()).Name
	c, err := s.governor.Assess(r.Context(), in)
	if err != nil {
		s.hookError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// hookSuspects is how many suspect changes the incident webhook answers
// with: enough to route on; the API lists them all.
const hookSuspects = 10

func (s *Server) incidentHook(w http.ResponseWriter, r *http.Request) {
	var in governance.IncidentInput
	if !s.hookInput(w, r, &in) {
		return
	}
	n, err := s.governor.RecordIncident(r.Context(), in)
	if err != nil {
		s.hookError(w, r, err)
		return
	}
	out := map[string]any{"id": n.ID, "key": n.Key, "name": n.Name, "properties": n.Props}
	// Whom to call: the accountable owners of what it hit, so that the
	// incident system can route it. The incident is recorded either way.
	if o, err := analysis.WhoOwns(r.Context(), s.store, n.Ref().String()); err != nil {
		s.log.Warn().Err(err).Str("incident", n.Key).Msg("incident recorded; whom to call not found")
	} else {
		call := []analysis.Owner{}
		for _, w := range o.Owners {
			if w.Accountable {
				call = append(call, w)
			}
		}
		out["whoToCall"] = call
	}
	// And which change may have caused it, nearest first.
	if sus, err := s.governor.Suspects(r.Context(), n.Key, 0, 0); err != nil {
		s.log.Warn().Err(err).Str("incident", n.Key).Msg("incident recorded; suspect changes not found")
	} else {
		out["suspectChanges"] = sus.Suspects[:min(len(sus.Suspects), hookSuspects)]
	}
	writeJSON(w, http.StatusOK, out)
}

// hookInput checks the role and decodes a strict JSON body into v; on
// failure it has written the error.
func (s *Server) hookInput(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := auth.Require(r.Context(), auth.RoleEditor); err != nil {
		s.hookError(w, r, err)
		return false
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, codeLimit, fmt.Sprintf("the request body is over the limit of %d bytes", s.cfg.MaxBodyBytes))
		} else {
			writeError(w, http.StatusBadRequest, codeInvalid, "cannot read the request body")
		}
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, codeInvalid, "malformed JSON body: "+err.Error())
		return false
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, codeInvalid, "malformed JSON body: more than one JSON value")
		return false
	}
	return true
}

func (s *Server) hookError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *auth.Error
	if errors.As(err, &ae) {
		status := http.StatusForbidden
		if ae.Code == auth.CodeUnauthenticated {
			status = http.StatusUnauthorized
		}
		writeError(w, status, string(ae.Code), ae.Msg)
		return
	}
	code := graph.CodeOf(err)
	status := map[graph.Code]int{
		graph.CodeInvalid: http.StatusBadRequest, graph.CodeNotFound: http.StatusNotFound,
		graph.CodeConflict: http.StatusConflict, graph.CodeLimitExceeded: http.StatusRequestEntityTooLarge,
		graph.CodeUnavailable: http.StatusServiceUnavailable,
	}[code]
	if status == 0 {
		hlog.FromRequest(r).Error().Err(err).Msg("webhook failed")
		writeError(w, http.StatusInternalServerError, codeInternal, "internal error")
		return
	}
	writeError(w, status, string(code), err.Error())
}
