package fakehcloud

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/hetznercloud/hcloud-go/v2/hcloud/schema"
)

// apiError is an error the API answers with: an HTTP status and the
// error object of schema.ErrorResponse.
type apiError struct {
	status  int
	code    string
	message string
	// fields become details.fields, which invalid_input and
	// uniqueness_error carry: the provider type-asserts the details of an
	// invalid_input error and would panic without them.
	fields map[string]string
}

func (e *apiError) Error() string { return fmt.Sprintf("%s (%s)", e.message, e.code) }

// response is the body of the error.
func (e *apiError) response() schema.ErrorResponse {
	out := schema.ErrorResponse{Error: schema.Error{Code: e.code, Message: e.message}}
	if e.fields != nil {
		var d schema.ErrorDetailsInvalidInput
		for name, msg := range e.fields {
			d.Fields = append(d.Fields, struct {
				Name     string   `json:"name"`
				Messages []string `json:"messages"`
			}{Name: name, Messages: []string{msg}})
		}
		out.Error.DetailsRaw, _ = json.Marshal(d)
	}
	return out
}

// statusForCode is the HTTP status the API uses for an error code.
// Codes specific to one operation (firewall_already_applied,
// target_already_defined, ...) are answered with 422.
func statusForCode(code string) int {
	switch code {
	case "invalid_input", "json_error":
		return http.StatusBadRequest
	case "unauthorized":
		return http.StatusUnauthorized
	case "forbidden", "protected", "resource_limit_exceeded", "resource_unavailable":
		return http.StatusForbidden
	case "not_found":
		return http.StatusNotFound
	case "uniqueness_error", "conflict":
		return http.StatusConflict
	case "locked":
		return http.StatusLocked
	case "rate_limit_exceeded":
		return http.StatusTooManyRequests
	case "server_error":
		return http.StatusInternalServerError
	case "maintenance", "unavailable":
		return http.StatusServiceUnavailable
	case "timeout":
		return http.StatusGatewayTimeout
	}
	return http.StatusUnprocessableEntity
}

// newError is an error with the status the API gives its code.
func newError(code, format string, args ...any) *apiError {
	return &apiError{status: statusForCode(code), code: code, message: fmt.Sprintf(format, args...)}
}

func errUnauthorized() *apiError { return newError("unauthorized", "unable to authenticate") }

func errJSON(detail string) *apiError { return newError("json_error", "invalid JSON: %s", detail) }

func errServer(detail string) *apiError { return newError("server_error", "%s", detail) }

// errNotFound is the API's 404 for a missing resource of a kind.
func errNotFound(what string) *apiError { return newError("not_found", "%s not found", what) }

// errInvalid is invalid_input about one field of the request.
func errInvalid(field, format string, args ...any) *apiError {
	msg := fmt.Sprintf(format, args...)
	return &apiError{status: http.StatusBadRequest, code: "invalid_input",
		message: fmt.Sprintf("invalid input in field '%s'", field), fields: map[string]string{field: msg}}
}

// errUnique is uniqueness_error about one field, as for a second SSH key,
// server or network of the same name.
func errUnique(field, what string) *apiError {
	return &apiError{status: http.StatusConflict, code: "uniqueness_error",
		message: fmt.Sprintf("%s is already used", what), fields: map[string]string{field: "already used"}}
}

// errProtected is the answer to deleting a resource with delete protection.
func errProtected(what string) *apiError {
	return newError("protected", "%s is protected against deletion", what)
}
