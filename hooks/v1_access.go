package hooks

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/security"
)

// The /api/v1 routes decide access with the collections' own rules, the
// same ones the collection API and realtime use. These helpers evaluate a
// rule for the current request.

// readOnlyKeyMessage answers writes with a read-scope admin key.
const readOnlyKeyMessage = "This admin key is read-only: use a key with scope \"full\" to change data."

// adminKeyMessage answers submission keys on admin-only routes.
const adminKeyMessage = "This endpoint needs an admin key (Authorization: AdminKey <key>)."

// requireAuth answers unauthenticated requests with the credentials error.
func requireAuth(e *core.RequestEvent) error {
	if e.Auth == nil {
		return credentialsError()
	}
	return nil
}

// requireAdminKey admits superusers and admin keys; write requests need an
// admin key of scope full.
func requireAdminKey(e *core.RequestEvent, write bool) error {
	if err := requireAuth(e); err != nil {
		return err
	}
	if e.HasSuperuserAuth() {
		return nil
	}
	if !isAdminKey(e.Auth) {
		return apis.NewForbiddenError(adminKeyMessage, nil)
	}
	if write && e.Auth.GetString("scope") != "full" {
		return apis.NewForbiddenError(readOnlyKeyMessage, nil)
	}
	return nil
}

// canAccess evaluates a rule of the record's collection for this request.
func canAccess(e *core.RequestEvent, record *core.Record, rule *string) (bool, error) {
	info, err := e.RequestInfo()
	if err != nil {
		return false, err
	}
	return e.App.CanAccessRecord(record, info, rule)
}

// listScope returns what limits a list of the collection to the rows its
// list rule admits for this request. A rule that depends only on the request
// (such as "admin keys only") is evaluated once, here, instead of per row:
// the per-row form needs SELECT DISTINCT over the whole table, which costs
// milliseconds on every page.
func listScope(e *core.RequestEvent, collection *core.Collection) (func(*dbx.SelectQuery) error, error) {
	none := func(q *dbx.SelectQuery) error { q.AndWhere(dbx.NewExp("1 = 0")); return nil }
	all := func(*dbx.SelectQuery) error { return nil }

	info, err := e.RequestInfo()
	if err != nil {
		return nil, err
	}
	rule := collection.ListRule
	switch {
	case info.HasSuperuserAuth():
		return all, nil
	case rule == nil:
		return none, nil
	case *rule == "":
		return all, nil
	case requestOnlyRule(*rule):
		ok, err := ruleAdmitsRequest(e, collection, *rule)
		if err != nil {
			return nil, err
		}
		if ok {
			return all, nil
		}
		return none, nil
	}
	return func(query *dbx.SelectQuery) error {
		resolver := core.NewRecordFieldResolver(e.App, collection, info, true)
		expr, err := search.FilterData(*rule).BuildExpr(resolver)
		if err != nil {
			return err
		}
		if err := resolver.UpdateQuery(query); err != nil {
			return err
		}
		query.AndWhere(expr)
		return nil
	}, nil
}

// requestOnlyRule reports whether a rule refers to nothing but the request
// (@request.*), macros (@now, ...) and literals, so its outcome is the same
// for every record.
func requestOnlyRule(rule string) bool {
	groups, err := fexpr.Parse(rule)
	return err == nil && requestOnlyGroups(groups)
}

func requestOnlyGroups(groups []fexpr.ExprGroup) bool {
	for _, g := range groups {
		switch item := g.Item.(type) {
		case fexpr.Expr:
			if !requestOnlyToken(item.Left) || !requestOnlyToken(item.Right) {
				return false
			}
		case []fexpr.ExprGroup:
			if !requestOnlyGroups(item) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func requestOnlyToken(t fexpr.Token) bool {
	switch t.Type {
	case fexpr.TokenText, fexpr.TokenNumber:
		return true
	case fexpr.TokenIdentifier:
		switch lit := t.Literal; {
		case lit == "true" || lit == "false" || lit == "null":
			return true
		case strings.HasPrefix(lit, "@request."):
			return true
		case strings.HasPrefix(lit, "@") && !strings.HasPrefix(lit, "@collection."):
			return true // date macros such as @now
		}
	}
	return false
}

// ruleAdmitsRequest evaluates a request-only rule (see requestOnlyRule) once,
// against a one-row table with nothing but an id.
func ruleAdmitsRequest(e *core.RequestEvent, collection *core.Collection, rule string) (bool, error) {
	info, err := e.RequestInfo()
	if err != nil {
		return false, err
	}
	shadow := *collection
	shadow.Name += "_request_only"
	query := e.App.ConcurrentDB().Select("(1)").
		PreFragment(fmt.Sprintf("WITH {{%s}} AS (SELECT '' AS [[id]])", shadow.Name)).
		From(shadow.Name)
	resolver := core.NewRecordFieldResolver(e.App, &shadow, info, true)
	expr, err := search.FilterData(rule).BuildExpr(resolver)
	if err != nil {
		return false, err
	}
	if err := resolver.UpdateQuery(query); err != nil {
		return false, err
	}
	var ok int
	if err := query.AndWhere(expr).Limit(1).Row(&ok); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	return ok == 1, nil
}

// canCreate evaluates a collection's create rule for a record that is not
// saved yet, as PocketBase's create handler does.
func canCreate(e *core.RequestEvent, record *core.Record) (bool, error) {
	return ruleAdmitsPending(e, record, record.Collection().CreateRule)
}

// ruleAdmitsPending evaluates a rule against a record that is not (or need
// not be) in the database: the record's values are offered to the rule as a
// one-row table, the way PocketBase checks create rules.
func ruleAdmitsPending(e *core.RequestEvent, record *core.Record, rule *string) (bool, error) {
	info, err := e.RequestInfo()
	if err != nil {
		return false, err
	}
	collection := record.Collection()
	if info.HasSuperuserAuth() {
		return true, nil
	}
	if rule == nil {
		return false, nil
	}
	if *rule == "" {
		return true, nil
	}

	dummy := record.Clone()
	if dummy.Id == "" {
		dummy.Id = "__pending__"
	}
	export, err := dummy.DBExport(e.App)
	if err != nil {
		return false, err
	}
	suffix := "_pending_" + security.PseudorandomString(6)
	params := dbx.Params{}
	selects := make([]string, 0, len(export))
	for column, value := range export {
		param := "pending_" + column
		params[param] = value
		selects = append(selects, fmt.Sprintf("{:%s} AS [[%s]]", param, column))
	}
	shadow := *collection
	shadow.Name += suffix
	shadow.Id += suffix

	query := e.App.ConcurrentDB().Select("(1)").
		PreFragment(fmt.Sprintf("WITH {{%s}} AS (SELECT %s)", shadow.Name, strings.Join(selects, ","))).
		From(shadow.Name).
		AndBind(params)
	resolver := core.NewRecordFieldResolver(e.App, &shadow, info, true)
	expr, err := search.FilterData(*rule).BuildExpr(resolver)
	if err != nil {
		return false, err
	}
	if err := resolver.UpdateQuery(query); err != nil {
		return false, err
	}
	var ok int
	if err := query.AndWhere(expr).Limit(1).Row(&ok); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	return ok == 1, nil
}
