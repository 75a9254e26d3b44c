package resolver

import (
	"context"
	"errors"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/notify"
	"github.com/estate-cmdb/estate/server/gql/model"
)

// Notifier is who hears of each ingest run's new shadow findings
// (notify.Notifier).
type Notifier interface {
	Targets() []notify.TargetInfo
	Ping(ctx context.Context, name string) error
}

func (r *Resolver) notifyTargets() []*model.NotifyTarget {
	out := []*model.NotifyTarget{}
	if r.Notify == nil {
		return out
	}
	for _, t := range r.Notify.Targets() {
		out = append(out, &model.NotifyTarget{Name: t.Name, Type: t.Type, Findings: append([]string{}, t.Findings...), Changes: append([]string{}, t.Changes...)})
	}
	return out
}

// testNotifyTarget answers with what the test came to; only a name no
// target has is an error.
func (r *Resolver) testNotifyTarget(ctx context.Context, name string) (*model.NotifyTestResult, error) {
	if r.Notify == nil {
		return nil, graph.Errorf(graph.CodeNotFound, "no notify target %q: the server's configuration names none", name)
	}
	err := r.Notify.Ping(ctx, name)
	if errors.Is(err, graph.ErrNotFound) {
		return nil, err
	}
	res := &model.NotifyTestResult{Target: name, Delivered: err == nil}
	if err != nil {
		res.Problem = err.Error()
	}
	return res, nil
}
