package governance

// HistoryLabels are the labels Assess, Approve and RecordIncident give a
// record of time t, for tests that seed history directly.
var HistoryLabels = historyLabels
