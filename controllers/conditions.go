package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// conditionSetter returns a function that sets one condition for the
// object's generation. meta.SetStatusCondition keeps the transition time
// while the status stays the same, so an unchanged world computes an equal
// status and the reconcilers patch nothing.
func conditionSetter(conds *[]metav1.Condition, generation int64) func(typ string, status bool, reason, msg string) {
	return func(typ string, status bool, reason, msg string) {
		s := metav1.ConditionFalse
		if status {
			s = metav1.ConditionTrue
		}
		meta.SetStatusCondition(conds, metav1.Condition{
			Type: typ, Status: s, Reason: reason, Message: msg, ObservedGeneration: generation,
		})
	}
}
