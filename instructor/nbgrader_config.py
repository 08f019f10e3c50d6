"""nbgrader configuration for the Downhill exercises. Run nbgrader from this folder:

    cd instructor
    nbgrader generate_assignment ex02_gradients     # → release/ex02_gradients/ (the student copy)
    nbgrader autograde ex02_gradients               # grades submitted/<student>/ex02_gradients/

The course layout is nbgrader's default: source/<assignment>/<notebook>.ipynb, one assignment per
exercise notebook, with the same name as its notebook. See README.md in this folder.
"""

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file

c.CourseDirectory.course_id = "downhill"

# Every cell runs in well under a second; a generous limit still stops a student's endless loop.
c.Execute.timeout = 120

# A check cell a student deleted is put back when autograding, and runs on their answer (an edited
# check cell is always restored: its checksum no longer matches).
c.OverwriteCells.add_missing_cells = True

# Student copies are generated with nbgrader's defaults, which tools/make_student_copies.py mirrors
# (stubs "# YOUR CODE HERE / raise NotImplementedError()" and "YOUR ANSWER HERE"). If you change
# ClearSolutions or LockCells settings here, regenerate the committed copies with nbgrader instead.

# On a hub where every student is a Unix account, a submission counts for the account that made
# it. nbgrader's collect only warns when a folder in the exchange names one student but belongs
# to another (`nbgrader submit --student=<someone else>` makes one), and then grades it as that
# other student's work; this collect hands it to its owner instead. Where all students share one
# account (Kubernetes pods run as jovyan), nothing changes. tests/hub/test_security.py tries it.
try:
    import os
    import pwd

    from nbgrader.exchange.default.collect import ExchangeCollect

    class OwnerCheckedCollect(ExchangeCollect):
        def _path_to_record(self, path):
            record = super()._path_to_record(path)
            try:
                pwd.getpwnam(record["username"])
                owner = pwd.getpwuid(os.stat(path).st_uid).pw_name
            except KeyError:
                return record          # the named student is no account here: nothing to compare
            if owner != record["username"]:
                self.log.warning("%s names %s but was made by %s: collected as %s's", os.path.basename(path),
                                 record["username"], owner, owner)
                record["username"] = owner
            return record

    c.ExchangeFactory.collect = OwnerCheckedCollect
except ImportError:  # Windows (no pwd), or an nbgrader without the default exchange
    pass
