/* A body scan's shared records: its problems, constructors, and freeing a body. */
#include "fix/fix_body.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix/fix_body_scan.h"
#include "util/fail.h"
#include "util/grow.h"

static int add_problem(sf_fix_scan *s, uint32_t line, const char *fmt, const char *text)
{
	sf_fix_problem *p, *more = sf__grow(s->problems, &s->problem_cap, s->problem_count, sizeof(*more), 4);

	if (!more)
		return sf__fail(SF_ENOMEM, "out of memory while reading sources");
	s->problems = more;
	p = &s->problems[s->problem_count++];
	p->line = line;
	p->fmt = fmt;
	if (fmt)
		snprintf(p->text, sizeof(p->text), fmt, line);
	else
		snprintf(p->text, sizeof(p->text), "%s", text ? text : "");
	return 0;
}

int sf__fix_scan_problem_text(sf_fix_scan *s, uint32_t line, const char *text)
{
	return add_problem(s, line, NULL, text);
}

int sf__fix_scan_problem(sf_fix_scan *s, uint32_t line, const char *fmt)
{
	return add_problem(s, line, fmt, NULL);
}


int sf__fix_body_add_ctor(sf_fix_body *body, size_t token)
{
	size_t *more = realloc(body->ctors, (body->ctor_count + 1) * sizeof(*more));
	if (!more)
		return sf__fail(SF_ENOMEM, "out of memory while reading sources");
	body->ctors = more;
	body->ctors[body->ctor_count++] = token;
	body->aggregate = false;
	return 0;
}

void sf__fix_body_free(sf_fix_body *body)
{
	free(body->units);
	free(body->unit_of);
	free(body->ctors);
	free(body->member_init);
	memset(body, 0, sizeof(*body));
}
