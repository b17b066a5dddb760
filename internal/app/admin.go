package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"liaison/internal/access"
	"liaison/internal/audit"
	"liaison/internal/directory"
	"liaison/internal/fault"
	"liaison/internal/federation"
	"liaison/internal/sharing"
	"liaison/internal/store"
)

const (
	refdataHS        = "hs"
	refdataCountries = "countries"
	adminUser        = "admin"
)

// Init creates a new node: the database and its schema, the node identity,
// the agreements the seed gives it (for HK the 30 arrangements and the EU
// agreement; for another node its side of those, if any; see
// agreement.Seed) and the first administrator. It returns the administrator's
// token, which is shown once and never stored in clear.
func Init(ctx context.Context, c Config, code string) (string, error) {
	c.fill()
	code = strings.ToUpper(strings.TrimSpace(code))
	dir, err := directory.Load()
	if err != nil {
		return "", fmt.Errorf("load directory: %w", err)
	}
	_, rilo := dir.RILORegion(code)
	if _, err := dir.Administration(code); err != nil && !rilo {
		return "", fmt.Errorf("--node %q is not a WCO member administration or a RILO in the directory (use an ISO 3166 code such as HK, or a RILO such as RILO-AP)", code)
	}
	st, err := OpenStore(ctx, c)
	if err != nil {
		return "", err
	}
	defer st.Close()
	if n, err := st.Node(ctx); err == nil {
		return "", fmt.Errorf("%s already holds node %s: refusing to initialise it again", where(c), n.Code)
	} else if !fault.Is(err, fault.NotFound) {
		return "", fmt.Errorf("read node identity: %w", err)
	}
	if err := st.InitNode(ctx, store.Node{Code: code, Created: c.Now().UTC()},
		audit.Event{Actor: "system", Action: audit.ActionNodeInit, Target: code}); err != nil {
		return "", fmt.Errorf("initialise node: %w", err)
	}
	if _, err := federation.CreateIdentity(ctx, st, "system", c.Now()); err != nil {
		return "", fmt.Errorf("initialise node: %w", err)
	}
	if !rilo {
		sh := &sharing.Service{Store: st, Directory: dir, Node: code, Now: c.Now}
		if _, err := sh.Seed(ctx, "system"); err != nil {
			return "", fmt.Errorf("initialise node: %w", err)
		}
	}
	return addUser(ctx, st, c, "system", adminUser, store.RoleAdmin)
}

// AddUser creates a user with a role on an initialised node and returns the
// user's token.
//
// ops are the operations the user is a member of: records distributed to
// an operation are shown only to its members, administrators and auditors.
func AddUser(ctx context.Context, c Config, name, role string, ops ...string) (string, error) {
	c.fill()
	st, err := openExisting(ctx, c)
	if err != nil {
		return "", err
	}
	defer st.Close()
	if _, err := st.Node(ctx); err != nil {
		return "", fmt.Errorf("node not initialised in %s: run `liaison init` first", where(c))
	}
	return addUser(ctx, st, c, "cli", name, role, ops...)
}

func addUser(ctx context.Context, st store.Store, c Config, actor, name, role string, ops ...string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 64 || strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", fmt.Errorf("user name %q must be 1 to 64 characters without spaces or control characters", name)
	}
	if !utf8.ValidString(name) {
		return "", fmt.Errorf("user name %q is not valid UTF-8 text", name)
	}
	if !access.ValidRole(role) {
		return "", fmt.Errorf("role %q must be one of admin, liaison, analyst, auditor", role)
	}
	var operations []string
	for _, op := range ops {
		op = strings.TrimSpace(op)
		if op == "" || len(op) > 200 || strings.Contains(op, ",") || strings.IndexFunc(op, unicode.IsControl) >= 0 {
			return "", fmt.Errorf("operation %q must be 1 to 200 characters without commas or control characters", op)
		}
		if !utf8.ValidString(op) {
			return "", fmt.Errorf("operation %q is not valid UTF-8 text", op)
		}
		if !slices.Contains(operations, op) {
			operations = append(operations, op)
		}
	}
	token, err := access.GenerateToken()
	if err != nil {
		return "", fmt.Errorf("generate token: %w", err)
	}
	u := store.User{Name: name, Role: role, TokenHash: access.HashToken(token), Created: c.Now().UTC(), Operations: operations}
	detail := "role " + role
	if len(operations) > 0 {
		detail += fmt.Sprintf("; %d operations", len(operations))
	}
	if err := st.CreateUser(ctx, u, audit.Event{Actor: actor, Action: audit.ActionUserCreate, Target: name, Detail: detail}); err != nil {
		if fault.Is(err, fault.Conflict) {
			return "", fmt.Errorf("user %q already exists", name)
		}
		return "", fmt.Errorf("create user: %w", err)
	}
	return token, nil
}

// RefdataSummary says what LoadRefdata loaded.
type RefdataSummary struct {
	HSChapters, HSHeadings, HSSubheadings int
	Countries                             int
}

// LoadRefdata parses the official HS nomenclature and ISO 3166 country list
// from CSV files (either may be empty) and stores them, so that every later
// start validates HS headings and subheadings exactly and shows country names
// in French and Chinese. A file that does not parse leaves the stored lists
// unchanged.
func LoadRefdata(ctx context.Context, c Config, hsPath, countriesPath string) (RefdataSummary, error) {
	c.fill()
	var sum RefdataSummary
	if hsPath == "" && countriesPath == "" {
		return sum, errors.New("give --hs FILE, --countries FILE or both")
	}
	var hsBlob, countryBlob []byte
	if hsPath != "" {
		f, err := os.Open(hsPath)
		if err != nil {
			return sum, fmt.Errorf("open hs file: %w", err)
		}
		l, err := directory.ParseHS(f)
		f.Close()
		if err != nil {
			return sum, fmt.Errorf("hs file %s: %w", hsPath, err)
		}
		sum.HSChapters, sum.HSHeadings, sum.HSSubheadings = l.Counts()
		if hsBlob, err = json.Marshal(l); err != nil {
			return sum, fmt.Errorf("encode hs list: %w", err)
		}
	}
	if countriesPath != "" {
		f, err := os.Open(countriesPath)
		if err != nil {
			return sum, fmt.Errorf("open countries file: %w", err)
		}
		l, err := directory.ParseCountries(f)
		f.Close()
		if err != nil {
			return sum, fmt.Errorf("countries file %s: %w", countriesPath, err)
		}
		sum.Countries = len(l)
		if countryBlob, err = json.Marshal(l); err != nil {
			return sum, fmt.Errorf("encode country list: %w", err)
		}
	}
	st, err := openExisting(ctx, c)
	if err != nil {
		return sum, err
	}
	defer st.Close()
	if _, err := st.Node(ctx); err != nil {
		return sum, fmt.Errorf("node not initialised in %s: run `liaison init` first", where(c))
	}
	if hsBlob != nil {
		ev := audit.Event{Actor: "cli", Action: audit.ActionRefdataLoad, Target: refdataHS,
			Detail: fmt.Sprintf("%d chapters, %d headings, %d subheadings", sum.HSChapters, sum.HSHeadings, sum.HSSubheadings)}
		if err := st.PutRefdata(ctx, refdataHS, hsBlob, ev); err != nil {
			return sum, fmt.Errorf("store hs list: %w", err)
		}
	}
	if countryBlob != nil {
		ev := audit.Event{Actor: "cli", Action: audit.ActionRefdataLoad, Target: refdataCountries,
			Detail: fmt.Sprintf("%d countries", sum.Countries)}
		if err := st.PutRefdata(ctx, refdataCountries, countryBlob, ev); err != nil {
			return sum, fmt.Errorf("store country list: %w", err)
		}
	}
	return sum, nil
}

// VerifyAudit walks the whole audit chain, compares its end with the
// node's anchor and every stored record version with the digest its audit
// entry vouches for (see store.VerifyAudit). It reports what it checked
// and, when something was altered, an *audit.Break naming the first bad
// entry, an *audit.AnchorMismatch when entries were cut off the end, or an
// *audit.BodyMismatch naming the record and version that differ. The node
// may be serving meanwhile: entries appended during the walk are accepted.
func VerifyAudit(ctx context.Context, c Config) (store.AuditReport, error) {
	c.fill()
	st, err := openExisting(ctx, c)
	if err != nil {
		return store.AuditReport{}, err
	}
	defer st.Close()
	return store.VerifyAudit(ctx, st, false)
}
