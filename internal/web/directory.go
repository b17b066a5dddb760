package web

import (
	"net/http"
	"strings"

	"liaison/internal/agreement"
	"liaison/internal/directory"
	"liaison/internal/fault"
	"liaison/internal/sharing"
)

// codeListNames returns the code lists GET /api/v1/directory/codes/{list}
// serves, in the order the OpenAPI document names them.
func codeListNames() []string {
	return []string{"countries", "hs-chapters", "categories", "units", "currencies",
		"transport", "detection", "concealment"}
}

type regionsResponse struct {
	Regions []directory.Region `json:"regions"`
}

type administrationsResponse struct {
	Administrations []directory.Administration `json:"administrations"`
}

// administrationResponse is an administration with its profile (roles and
// timeline), the name of its region, the RILOs serving it, its bloc
// memberships over time, the agreements it is in that are in force today and
// its partners with the basis for each.
type administrationResponse struct {
	directory.Administration
	RegionName  string                `json:"region_name,omitempty"`
	RILOs       []directory.RILO      `json:"rilos"`
	Memberships []blocMembership      `json:"memberships"`
	Agreements  []agreement.Agreement `json:"agreements"`
	Partners    []sharing.Partner     `json:"partners"`
}

// blocMembership is one period of an administration in a bloc.
type blocMembership struct {
	Bloc string `json:"bloc"`
	From string `json:"from"`
	To   string `json:"to,omitempty"`
}

// codeListResponse is one code list. The entries' shape depends on the
// list: countries carry alpha-3 codes and names, HS chapters their section
// and title, categories their commodities, the others a code and labels.
type codeListResponse struct {
	List  string `json:"list"`
	Codes any    `json:"codes"`
}

func (s *Server) listRegions(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, regionsResponse{Regions: s.dir.Regions()})
	return nil
}

func (s *Server) listAdministrations(w http.ResponseWriter, r *http.Request) error {
	region := r.URL.Query().Get("region")
	if region != "" {
		if _, err := s.dir.Region(region); err != nil {
			return fault.Field("region", "unknown WCO region %q", region)
		}
	}
	as := s.dir.Administrations(region)
	if as == nil {
		as = []directory.Administration{}
	}
	writeJSON(w, http.StatusOK, administrationsResponse{Administrations: as})
	return nil
}

func (s *Server) getAdministration(w http.ResponseWriter, r *http.Request) error {
	a, err := s.dir.Administration(r.PathValue("code"))
	if err != nil {
		return err
	}
	resp := administrationResponse{Administration: a, RILOs: []directory.RILO{}, Memberships: []blocMembership{}}
	if reg, err := s.dir.Region(a.Region); err == nil {
		resp.RegionName = reg.Name
		if reg.RILOs != nil {
			resp.RILOs = reg.RILOs
		}
	}
	for _, b := range s.dir.Blocs() {
		for _, m := range b.Members {
			if m.Code == a.Code {
				resp.Memberships = append(resp.Memberships, blocMembership{Bloc: b.Code, From: m.From, To: m.To})
			}
		}
	}
	if resp.Agreements, resp.Partners, err = s.administrationAgreements(r, a.Code); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) getCodeList(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("list")
	var codes any
	switch name {
	case "countries":
		codes = s.dir.Countries()
	case "hs-chapters":
		codes = s.dir.HSChapters()
	case "categories":
		codes = s.dir.Categories()
	case "units":
		codes = s.dir.Units()
	case "currencies":
		codes = s.dir.Currencies()
	case "transport":
		codes = s.dir.TransportModes()
	case "detection":
		codes = s.dir.DetectionMethods()
	case "concealment":
		codes = s.dir.ConcealmentMethods()
	default:
		return fault.E(fault.NotFound, "no code list %q; the lists are %s", name, strings.Join(codeListNames(), ", "))
	}
	writeJSON(w, http.StatusOK, codeListResponse{List: name, Codes: codes})
	return nil
}

// checkCategory accepts a commodity category ("drugs/cocaine") or a section
// ("drugs") as a listing filter.
func (s *Server) checkCategory(c string) error {
	if c == "" || s.dir.Category(c) || s.dir.CategorySection(c) {
		return nil
	}
	return fault.Field("category", "unknown commodity category or section %q", c)
}
