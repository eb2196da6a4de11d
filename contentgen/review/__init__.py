"""The reviewer's side of the toolkit, shared by the web page, the CLI and review sheets.

- `wording`: check results as sentences a marketer reads, blocking and advisory apart;
- `facts`: the request's facts beside the copy, marked as used or contradicted;
- `edits`: edited final texts checked like generated copy before they are saved;
- `diff`: an edit against the generated original, word by word;
- `workflow`: what each output looks like in review, and its status (draft -> approved ->
  exported / published, or rejected), per output or in bulk.
- `rubrics`: per template, channel or task, a Markdown guideline and criteria scored 1-5;
- `scoring`: ratings stored with the rubric they were made under; ties and "both bad";
- `team`: queues per reviewer, each output assigned to k reviewers;
- `agreement`: Krippendorff's alpha between reviewers per template and criterion.
"""
