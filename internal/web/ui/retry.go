package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"liaison/internal/access"
	"liaison/internal/fault"
	"liaison/internal/store"
	"liaison/internal/web/httpstatus"
)

// Retrying a delivery from the UI: the deliveries page and the deliveries
// table of a record's page offer a Retry button on each delivery that is
// dead, failed or refused, to users who may manage peers. The button posts
// to /ui/deliveries/{id}/retry, which makes the same service call as POST
// /api/v1/deliveries/{id}/retry (federation.Service.Retry, audited as
// delivery.retry) and goes back to the page it came from with a notice.

// retryable reports whether an operator may put a delivery back in the
// queue: one dead, failed or refused, but not one withdrawn because its
// record was retracted before it was sent.
func retryable(d store.Delivery) bool {
	if d.RefusalReason == store.Withdrawn {
		return false // the record was retracted before it was sent
	}
	return d.State == store.DeliveryDead || d.State == store.DeliveryFailed || d.State == store.DeliveryRefused
}

// retriedNotice is the notice a page shows after a retry.
type retriedNotice struct {
	ID   string
	Peer string
}

// retriedOf reads the ?retried= of a page back from a retry, nil when
// there is none or it names no delivery.
func (h *Handler) retriedOf(ctx context.Context, r *http.Request) *retriedNotice {
	id, err := strconv.ParseInt(r.URL.Query().Get("retried"), 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	d, err := h.cfg.Store.Delivery(ctx, id)
	if err != nil {
		return nil
	}
	return &retriedNotice{ID: strconv.FormatInt(d.ID, 10), Peer: d.Peer}
}

// retryBack is where a retry goes back to: the record page the button was
// on, or the deliveries list with its state filter.
func retryBack(v url.Values, d store.Delivery) string {
	id := strconv.FormatInt(d.ID, 10)
	if v.Get("back") == "record" && d.RecordID != "" {
		return "/ui/records/" + url.PathEscape(d.RecordID) + "?retried=" + id + "#deliveries"
	}
	q := url.Values{}
	if s := v.Get("state"); slices.Contains(deliveryStates, s) {
		q.Set("state", s)
	}
	q.Set("retried", id)
	return "/ui/deliveries?" + q.Encode()
}

// retryDelivery puts a dead, failed or refused delivery back in the queue
// and goes back to the page the button was on. A delivery that is not
// there (or belongs to a record the user may not see) or that cannot be
// retried is shown as an error page with its reason and a way back.
func (h *Handler) retryDelivery(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.needFederation(); err != nil {
		return err
	}
	ctx := r.Context()
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return h.retryError(w, r, c, fault.E(fault.NotFound, "%s", c.loc.T("retry.notfound", raw)), "")
	}
	d, err := h.cfg.Store.Delivery(ctx, id)
	if fault.Is(err, fault.NotFound) {
		return h.retryError(w, r, c, fault.E(fault.NotFound, "%s", c.loc.T("retry.notfound", raw)), "")
	}
	if err != nil {
		return err
	}
	if d.RecordID != "" {
		if err := h.cfg.Records.CheckVisible(ctx, d.RecordID); fault.Is(err, fault.NotFound) {
			return h.retryError(w, r, c, fault.E(fault.NotFound, "%s", c.loc.T("retry.notfound", raw)), "")
		} else if err != nil {
			return err
		}
	}
	back := retryBack(r.PostForm, d)
	if !retryable(d) {
		return h.retryError(w, r, c, fault.E(fault.Conflict, "%s",
			c.loc.T("retry.conflict", strconv.FormatInt(d.ID, 10), c.loc.Party(d.Peer), c.loc.Enum("delivery", d.State))), back)
	}
	if err := h.cfg.Federation.Retry(ctx, c.user.Name, id); err != nil {
		if fault.Is(err, fault.Conflict) {
			// Delivered or queued again since the page was shown.
			if now, rerr := h.cfg.Store.Delivery(ctx, id); rerr == nil {
				d = now
			}
			return h.retryError(w, r, c, fault.E(fault.Conflict, "%s",
				c.loc.T("retry.conflict", strconv.FormatInt(d.ID, 10), c.loc.Party(d.Peer), c.loc.Enum("delivery", d.State))), back)
		}
		return err
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// retryError renders err as the error page, with a link back to the page
// the retry came from when there is one.
func (h *Handler) retryError(w http.ResponseWriter, r *http.Request, c *call, err *fault.Error, back string) error {
	b := errorBody{Status: httpstatus.Of(err.Kind), Heading: c.loc.T("error." + string(err.Kind)), Message: err.Message, Back: back}
	c.title = b.Heading
	return h.renderStatus(w, r, c, b.Status, "error", b)
}

// canRetry reports whether the user of c may retry deliveries.
func canRetry(c *call) bool { return can(c, access.PermPeerManage) }
