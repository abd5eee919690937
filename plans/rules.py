"""Who may do what with plans, tasks and progress reports.

- everyone of the ward reads plans and tasks;
- ward staff (and superusers) create and edit plans and tasks;
- a unit's managers report progress on tasks assigned to that unit (lead or supporting);
  ward staff may report on behalf of any unit.
"""

import rules

from wardwork.roles import is_in_ward, is_superuser, is_unit_manager, is_ward_staff, roles_of

can_view_plan = is_superuser | is_in_ward
can_manage_plans = is_superuser | is_ward_staff


def assigned_unit_ids(task) -> set[int]:
    """The lead and supporting units of a task (uses the prefetch when there is one)."""
    supporting = {org.pk for org in task.supporting_organizations.all()}
    return {task.lead_organization_id, *supporting}


@rules.predicate
def manages_an_assigned_unit(user, task) -> bool:
    if task is None:
        return is_unit_manager(user)
    return bool(roles_of(user).managed_unit_ids & assigned_unit_ids(task))


can_report_on_task = can_manage_plans | (is_in_ward & manages_an_assigned_unit)


def reportable_units(user, task) -> list:
    """Units the user may report for on this task: all assigned units for ward staff, else
    the assigned units the user manages."""
    units = [task.lead_organization, *task.supporting_organizations.all()]
    if can_manage_plans(user, task):
        return units
    managed = roles_of(user).managed_unit_ids
    return [unit for unit in units if unit.pk in managed]


rules.add_rule("plans.view_plan", can_view_plan)
rules.add_rule("plans.manage_plans", can_manage_plans)
rules.add_rule("plans.report_on_task", can_report_on_task)
