package records

import (
	"context"
	"fmt"
	"slices"

	"liaison/internal/access"
	"liaison/internal/intel"
	"liaison/internal/store"
)

// Audience is what decides which users of this node may see a record. The
// zero Audience is every user whose role may read records.
type Audience struct {
	// Operation is set for a record distributed to an operation
	// (distribution scope "operation"): only the operation's members,
	// administrators and auditors may see it.
	Operation string
}

// AudienceOf returns the audience of a record from its distribution.
func AudienceOf(r *intel.Record) Audience {
	if r != nil && r.Distribution.Scope == intel.ScopeOperation && r.Distribution.Operation != "" {
		return Audience{Operation: r.Distribution.Operation}
	}
	return Audience{}
}

// CanSee reports whether user u may see a record with audience a. A user
// whose role may not read records sees none. A record of an operation is
// seen by the operation's members, by administrators, who run the node, and
// by auditors, who must be able to check every access; every other record
// is seen by everyone who may read records. The same rule governs reading,
// listing, searching and being told about matches.
func CanSee(u store.User, a Audience) bool {
	if !access.Allowed(u.Role, access.PermRecordRead) {
		return false
	}
	if a.Operation == "" || u.Role == store.RoleAdmin || u.Role == store.RoleAuditor {
		return true
	}
	return slices.Contains(u.Operations, a.Operation)
}

// OperationsSeen says which records distributed to an operation the viewer
// of ctx may see, in the form a listing filters on: every one (restricted
// false: no viewer, an administrator or an auditor), or only those of ops.
// It agrees with CanSee for a user whose role may read records.
func OperationsSeen(ctx context.Context) (restricted bool, ops []string) {
	u, ok := ViewerFrom(ctx)
	if !ok || u.Role == store.RoleAdmin || u.Role == store.RoleAuditor {
		return false, nil
	}
	return true, slices.Clone(u.Operations)
}

type viewerKey struct{}

// WithViewer returns a context carrying the user on whose behalf records
// are read or changed. The Service's read and change methods show that user
// only the records CanSee allows and answer "not found" for the others, as
// if they did not exist. A context without a viewer is the node itself
// (delivery workers, import and export), which sees every record.
func WithViewer(ctx context.Context, u store.User) context.Context {
	return context.WithValue(ctx, viewerKey{}, u)
}

// ViewerFrom returns the user WithViewer put in ctx, if any.
func ViewerFrom(ctx context.Context) (store.User, bool) {
	u, ok := ctx.Value(viewerKey{}).(store.User)
	return u, ok
}

// Visible reports whether the viewer of ctx, if there is one, may see r.
func Visible(ctx context.Context, r *intel.Record) bool {
	u, ok := ViewerFrom(ctx)
	return !ok || CanSee(u, AudienceOf(r))
}

// mustSee answers "not found" when the viewer of ctx may not see record id,
// judged by its latest version.
func (s *Service) mustSee(ctx context.Context, id string) error {
	if _, ok := ViewerFrom(ctx); !ok {
		return nil
	}
	r, err := s.store.GetRecord(ctx, id)
	if err != nil {
		return fmt.Errorf("get record %s: %w", id, err)
	}
	if !Visible(ctx, r) {
		return notFound(id)
	}
	return nil
}

// CheckVisible answers "not found" when the viewer of ctx may not see
// record id, so that routes about a record (its sharing decision, its
// deliveries, its matches) reveal nothing of records hidden from the user.
// An id that is not a record id is left to the route to refuse.
func (s *Service) CheckVisible(ctx context.Context, id string) error {
	if !validID(id) {
		return nil
	}
	return s.mustSee(ctx, id)
}

// listVisible returns one page of q holding only records the viewer of ctx
// may see, reading further pages of the store as needed to fill it. Next
// is the id of the last record returned, or "" when no more records match.
func (s *Service) listVisible(ctx context.Context, q store.RecordQuery) (store.RecordPage, error) {
	if _, ok := ViewerFrom(ctx); !ok {
		return s.store.ListRecords(ctx, q)
	}
	var out []*intel.Record
	for {
		page, err := s.store.ListRecords(ctx, q)
		if err != nil {
			return store.RecordPage{}, err
		}
		for i, r := range page.Records {
			if !Visible(ctx, r) {
				continue
			}
			out = append(out, r)
			if len(out) == q.Limit {
				next := r.ID
				if i == len(page.Records)-1 && page.Next == "" {
					next = ""
				}
				return store.RecordPage{Records: out, Next: next}, nil
			}
		}
		if page.Next == "" {
			return store.RecordPage{Records: out}, nil
		}
		q.Cursor = page.Next
	}
}
